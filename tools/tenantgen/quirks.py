"""Malformed and edge-case mutations of otherwise normal records.

kind "malformed": the records.jsonl line is not a JSON object (truncated, or wrapped in an array).
kind "edge": valid JSON carrying a quirk a decoder must survive (numbers/booleans as strings,
ClientIP with port/brackets/::ffff:/hostname, 7 fractional digits, missing Name/Value members,
float sizes, huge Folders arrays, non-ASCII folder paths, duplicate Ids, locale timestamps).
Truncated lines appear in records.jsonl and syslog.log only; the other outputs carry the clean
record (a truncated record would break a whole blob, CSV row or Event Hub batch).
"""

import json

from common import locale_time

UAL_QUIRKS = (
    ("truncated", 3.0), ("array_wrapped", 1.0), ("recordtype_string", 3.0), ("externalaccess_string", 2.0),
    ("usertype_string", 1.5), ("clientip_port", 2.0), ("clientip_brackets", 2.0), ("clientip_mapped", 2.0),
    ("clientip_localhost", 1.0), ("clientip_loopback6", 0.5), ("fraction7", 3.0), ("isthrottled_absent", 2.0),
    ("value_absent", 1.0), ("size_float", 1.5), ("huge_folders", 0.06), ("duplicate_id", 3.0),
)
EH_QUIRKS = (
    ("truncated", 2.0), ("array_wrapped", 0.5), ("time_locale", 2.0), ("asn_string", 2.0),
    ("uri_escaped_amp", 1.5), ("duplicate_id", 2.0),
)
MALFORMED = frozenset(("truncated", "array_wrapped"))


def dumps(rec):
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":"))


def _applicable(name, rec, src):
    if src == "e":
        props = rec.get("properties", {})
        if name == "asn_string":
            return "autonomousSystemNumber" in props
        if name == "uri_escaped_amp":
            return "&" in props.get("requestUri", "")
        return True
    if name in ("isthrottled_absent", "value_absent"):
        return rec.get("Operation") == "MailItemsAccessed"
    if name == "huge_folders":
        return rec.get("Operation") == "MailItemsAccessed" and rec["OperationProperties"][0]["Value"] == "Bind"
    if name == "size_float":
        return any(f.get("FolderItems") for f in rec.get("Folders", ()))
    if name == "externalaccess_string":
        return "ExternalAccess" in rec
    if name.startswith("clientip"):
        ip = rec.get("ClientIP")
        return bool(ip) and (name != "clientip_mapped" or ":" not in ip)
    return True


def pick(rng, rec, src):
    table = EH_QUIRKS if src == "e" else UAL_QUIRKS
    choices = [(n, w) for n, w in table if _applicable(n, rec, src)]
    total = sum(w for _, w in choices)
    r = rng.random() * total
    for name, weight in choices:
        r -= weight
        if r <= 0:
            return name
    return choices[-1][0]


def apply(rng, rec, name, ual_item):
    """Mutate `rec` for quirk `name`; returns (line, clean_line or None if same)."""
    if name == "recordtype_string":
        rec["RecordType"] = str(rec["RecordType"])
    elif name == "externalaccess_string":
        rec["ExternalAccess"] = "True" if rec["ExternalAccess"] else "False"
    elif name == "usertype_string":
        rec["UserType"] = str(rec["UserType"])
    elif name == "clientip_port":
        rec["ClientIP"] = "%s:%d" % (rec["ClientIP"], rng.randint(1025, 65535))
    elif name == "clientip_brackets":
        rec["ClientIP"] = "[%s]:%d" % (rec["ClientIP"], rng.randint(1025, 65535))
    elif name == "clientip_mapped":
        rec["ClientIP"] = "::ffff:" + rec["ClientIP"]
    elif name == "clientip_localhost":
        rec["ClientIP"] = "localhost"
    elif name == "clientip_loopback6":
        rec["ClientIP"] = "::1"
    elif name == "fraction7":
        rec["CreationTime"] = "%s.%07d" % (rec["CreationTime"], rng.randrange(10000000))
    elif name == "isthrottled_absent":
        rec["OperationProperties"] = rec["OperationProperties"][:1]
    elif name == "value_absent":
        rec["OperationProperties"][1] = {"Name": "IsThrottled"}
    elif name == "size_float":
        for folder in rec["Folders"]:
            for item in folder.get("FolderItems", ()):
                item["SizeInBytes"] = float(item["SizeInBytes"])
    elif name == "huge_folders":
        folder = rec["Folders"][0]
        n = rng.randint(2000, 9000)
        base = folder.get("FolderItems") or [{"InternetMessageId": "<x@x>", "SizeInBytes": 1000}]
        items = []
        for i in range(n):
            src = base[i % len(base)]
            items.append({"InternetMessageId": src["InternetMessageId"].replace("@", "%05d@" % i, 1),
                          "SizeInBytes": src["SizeInBytes"] + i})
        folder["FolderItems"] = items
        rec["OperationCount"] = n
    elif name == "time_locale":
        rec["time"] = locale_time(ual_item)
    elif name == "asn_string":
        rec["properties"]["autonomousSystemNumber"] = str(rec["properties"]["autonomousSystemNumber"])
    elif name == "uri_escaped_amp":
        rec["properties"]["requestUri"] = rec["properties"]["requestUri"].replace("&", "\\u0026")
    line = dumps(rec)
    if name == "truncated":
        cut = rng.randint(max(10, len(line) * 3 // 10), len(line) * 9 // 10)
        return line[:cut], line
    if name == "array_wrapped":
        return "[" + line + "]", line
    return line, None
