"""Stable per-mailbox folders and messages: the same message always has the same InternetMessageId
and size, so re-reads, backups and attacker bulk reads of one mailbox overlap realistically."""

import base64
import math

from common import mix

FOLDERS_EN = ("Inbox", "Sent Items", "Drafts", "Deleted Items", "Archive", "Junk Email", "Inbox\\Projects",
              "Inbox\\Finance", "Inbox\\Customers", "Conversation History", "Outbox", "RSS Feeds",
              "Inbox\\Contracts", "Archive\\2025", "Archive\\2024", "Inbox\\HR", "Inbox\\Board", "Notes",
              "Sync Issues", "Inbox\\Vendors")
FOLDERS_FR = ("Boîte de réception", "Éléments envoyés", "Brouillons", "Éléments supprimés", "Archives",
              "Courrier indésirable", "Boîte de réception\\Projets", "Boîte de réception\\Finances",
              "Boîte de réception\\Clients", "Historique des conversations", "Boîte d'envoi", "Flux RSS",
              "Boîte de réception\\Contrats", "Archives\\2025", "Archives\\2024", "Boîte de réception\\RH",
              "Boîte de réception\\Conseil", "Notes", "Problèmes de synchronisation",
              "Boîte de réception\\Fournisseurs")
INBOX, SENT, DRAFTS, DELETED, ARCHIVE = 0, 1, 2, 3, 4
# how often a reader opens each folder (index -> weight); the rest share the remainder
READ_WEIGHTS = (70, 8, 2, 3, 5, 1, 4, 3, 2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0)
_READ_CUM = []
_acc = 0
for _w in READ_WEIGHTS:
    _acc += _w
    _READ_CUM.append(_acc)

EXTERNAL_DOMAINS = ("mail.gmail.com", "eu-west-1.amazonses.com", "mx.fabrikam.example", "northwindtraders.example",
                    "mail.wingtiptoys.example", "bounce.salesforce.com")


def paths(mbx):
    return FOLDERS_FR if mbx.localized else FOLDERS_EN


def folder_count(mbx):
    return len(FOLDERS_EN) if mbx.role != "user" or mbx.idx % 3 == 0 else 12


def nonascii(mbx):
    return mbx.localized


def folder_id(seed, mbx, fi):
    raw = (mix(seed, "store", mbx.idx).to_bytes(8, "little") + b"\x00\x01"
           + mix(seed, "folder", mbx.idx, fi).to_bytes(8, "little") + b"\x00\x00\x00\x00\x01\x0c\x00\x00")
    return "LgAAAA" + base64.b64encode(b"\x00" + raw).decode("ascii").rstrip("=")


def folder(seed, mbx, fi):
    return {"Id": folder_id(seed, mbx, fi), "Path": "\\" + paths(mbx)[fi]}


def pick_folder(rng):
    r = rng.random() * _READ_CUM[-1]
    for i, c in enumerate(_READ_CUM):
        if r < c:
            return i
    return 0


def message(seed, mbx, fi, k):
    h = mix(seed, "msg", mbx.idx, fi, k)
    if h % 5 < 3:
        imid = "<%s%016X%04X@%s.namprd%02d.prod.outlook.com>" % (mbx.server, h, (h >> 7) & 0xFFFF, mbx.server,
                                                                 h % 19 + 1)
    else:
        dom = EXTERNAL_DOMAINS[(h >> 3) % len(EXTERNAL_DOMAINS)]
        imid = "<%016x.%06x@%s>" % (h, (h >> 17) & 0xFFFFFF, dom)
    z = (((h >> 20) & 255) + ((h >> 28) & 255) + ((h >> 36) & 255) + ((h >> 44) & 255)) / 255.0 - 2.0
    size = int(min(26000000, 1800 + math.exp(math.log(28000) + 1.3 * 1.7 * z)))
    return {"InternetMessageId": imid, "SizeInBytes": size}


def items(seed, mbx, fi, ks):
    return [message(seed, mbx, fi, k) for k in ks]


def folder_items(seed, mbx, fi, ks):
    f = folder(seed, mbx, fi)
    f["FolderItems"] = items(seed, mbx, fi, ks)
    return f


def newest(mbx, day, fi):
    """Index one past the newest message of folder fi at the end of `day` (messages arrive daily)."""
    rate = mbx.msg_rate if fi == INBOX else max(1, mbx.msg_rate // (3 if fi == SENT else 12))
    return (day + 30) * rate, rate


def recent_indices(rng, mbx, day, fi, count, progress=1.0):
    top, rate = newest(mbx, day, fi)
    top = max(1, int(top - rate * (1.0 - progress)))
    lo = max(0, top - rate * (2 if fi == INBOX else 30))
    return sorted({rng.randrange(lo, top) for _ in range(count)})
