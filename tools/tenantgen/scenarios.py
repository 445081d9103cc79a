"""Attack scenarios and benign look-alikes.

SCENARIOS is the one place where every scenario's variants and parameter ranges are written
down. Keep names and ranges stable: detectors and their tests are tuned against them. A range
(lo, hi) is sampled uniformly per instance; a tuple of strings is a choice.

  rate        instances per 1000 mailbox-days after the quiet days (at least `min` per run)
  malicious   label value for every record the instance emits
  span_days   how many consecutive days one instance may touch
"""

from common import guid_of, mix, rng_for, uti_of
import mailstore
import networks
import records as R
import sessions as S
from benign import day_plan, sp_signin, user_consent
from tenant import App, APP_AZURE_CLI, APP_EXO, APP_EXO_PS, APP_GRAPH, APP_OUTLOOK_DESKTOP, APP_OWA

UA = {
    "python": "python-requests/2.32.3",
    "node": "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
    "graphrunner": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/70.0.3538.102 Safari/537.36 Edge/18.19042",
    "powershell": "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.4522",
    "curl": "curl/8.5.0",
    "go": "Go-http-client/2.0",
    "axios": "axios/1.7.2",
    "okhttp": "okhttp/4.12.0",
    "graphsdk": "msgraph-sdk-go/1.47.0",
    "browser": S.BROWSER_UA["Chrome"],
}
EWS_INFO = {
    "ews_managed": "Client=WebServices;ExchangeServicesClient/15.00.0913.015;",
    "ewseditor": "Client=WebServices;EWSEditor (ExchangeServicesClient/0.0.0.0);",
    "exchangelib": "Client=WebServices;exchangelib/5.4.0 (python-requests/2.32.3);",
}
KEYWORDS = ("password", "invoice", "wire transfer", "bank details", "payroll", "credentials", "vpn", "gift card",
            "W-2", "confidential", "acquisition", "MFA", "remittance", "IBAN", "swift code", "login")

SCENARIOS = {
    "illicit_consent_graph": {
        "malicious": True, "rate": 0.06, "min": 1, "span_days": 2,
        "variants": {
            "python_fast": {"start_hour": (7, 19), "first_read_min": (3, 45), "requests": (40, 120),
                            "top": (25, 100), "pace_s": (2, 25), "ua": "python", "net": "hosting",
                            "scopes": "Mail.Read offline_access User.Read openid profile"},
            "node_slow": {"start_hour": (7, 19), "first_read_min": (180, 900), "requests": (12, 40),
                          "top": (10, 25), "pace_s": (120, 900), "ua": "node", "net": "proxy",
                          "scopes": "Mail.ReadWrite Mail.Send offline_access User.Read"},
            "forged_browser_ua": {"start_hour": (7, 19), "first_read_min": (20, 240), "requests": (25, 80),
                                  "top": (50, 250), "pace_s": (5, 60), "ua": "graphrunner", "net": "tor",
                                  "scopes": "Mail.Read Mail.ReadBasic offline_access Contacts.Read User.Read"},
        }},
    "full_access_as_app_ews": {
        "malicious": True, "rate": 0.04, "min": 1, "span_days": 2,
        "variants": {
            "ews_managed_burst": {"start_hour": (1, 6), "grant_to_read_min": (30, 180), "victims": (3, 8),
                                  "records_per_victim": (6, 20), "items": (10, 60), "pace_s": (3, 30),
                                  "client": "ews_managed", "net": "proxy", "credential": "clientSecret"},
            "ewseditor_paced": {"start_hour": (0, 12), "grant_to_read_min": (240, 720), "victims": (2, 5),
                                "records_per_victim": (3, 10), "items": (5, 30), "pace_s": (300, 2400),
                                "client": "ewseditor", "net": "hosting", "credential": "certificate"},
            "exchangelib_all_execs": {"start_hour": (16, 20), "grant_to_read_min": (60, 180), "victims": (4, 12),
                                      "records_per_victim": (8, 25), "items": (20, 120), "pace_s": (2, 12),
                                      "client": "exchangelib", "net": "hosting", "credential": "clientSecret"},
        }},
    "stolen_token_new_country": {
        "malicious": True, "rate": 0.08, "min": 1, "span_days": 1,
        "variants": {
            "graph_python": {"after_victim_min": (20, 240), "requests": (20, 90), "top": (10, 100),
                             "pace_s": (3, 40), "ua": "python", "net": "proxy", "inbox_rule": False},
            "owa_replay": {"after_victim_min": (10, 120), "requests": (15, 50), "top": (1, 4), "pace_s": (15, 120),
                           "ua": "browser", "net": "hosting", "inbox_rule": True},
            "ews_script_rule": {"after_victim_min": (30, 300), "requests": (30, 100), "top": (5, 40),
                                "pace_s": (2, 15), "ua": "powershell", "net": "hosting", "inbox_rule": True},
        }},
    "keyword_search_scripted": {
        "malicious": True, "rate": 0.06, "min": 1, "span_days": 1,
        "variants": {
            "owa_burst": {"start_hour": (8, 20), "searches": (20, 45), "pace_s": (8, 40), "reads_per_search": (0, 3),
                          "via": "owa", "net": "hosting"},
            "owa_paced": {"start_hour": (6, 12), "searches": (10, 25), "pace_s": (300, 1500),
                          "reads_per_search": (1, 4), "via": "owa", "net": "proxy"},
            "graph_dollar_search": {"start_hour": (0, 23), "searches": (15, 40), "pace_s": (3, 30),
                                    "reads_per_search": (1, 8), "via": "graph", "net": "hosting"},
        }},
    "sync_non_outlook": {
        "malicious": True, "rate": 0.05, "min": 1, "span_days": 1,
        "variants": {
            "ews_sync": {"start_hour": (0, 23), "folders": (12, 20), "pace_s": (1, 10), "client": "ews",
                         "net": "hosting"},
            "imap_sync": {"start_hour": (0, 23), "folders": (8, 16), "pace_s": (2, 20), "client": "imap",
                          "net": "proxy"},
            "mapi_tool": {"start_hour": (0, 23), "folders": (15, 20), "pace_s": (0.5, 4), "client": "mapi",
                          "net": "tor"},
        }},
    "bulk_read_throttled": {
        "malicious": True, "rate": 0.03, "min": 1, "span_days": 2,
        "variants": {
            "graph_app_only": {"start_hour": (0, 20), "records": (1001, 1080), "items": (2, 12), "pace_s": (4, 14),
                               "throttled_records": (3, 10), "path": "graph", "net": "hosting"},
            "ews_delegate": {"start_hour": (0, 20), "records": (1001, 1060), "items": (3, 15), "pace_s": (6, 18),
                             "throttled_records": (2, 6), "path": "ews", "net": "proxy"},
            "rest_token": {"start_hour": (0, 20), "records": (1001, 1040), "items": (1, 6), "pace_s": (3, 9),
                           "throttled_records": (1, 4), "path": "rest", "net": "tor"},
        }},
    "fanout_many_mailboxes": {
        "malicious": True, "rate": 0.05, "min": 1, "span_days": 1,
        "variants": {
            "admin_ews": {"start_hour": (0, 23), "mailboxes": (20, 60), "records_per_mailbox": (1, 3),
                          "items": (1, 10), "pace_s": (10, 90), "actor": "admin", "net": "hosting"},
            "app_graph": {"start_hour": (0, 23), "mailboxes": (30, 150), "records_per_mailbox": (1, 2),
                          "items": (5, 30), "pace_s": (2, 20), "actor": "app", "net": "hosting"},
            "user_delegate": {"start_hour": (8, 18), "mailboxes": (10, 30), "records_per_mailbox": (1, 4),
                              "items": (1, 6), "pace_s": (60, 400), "actor": "user", "net": "proxy"},
        }},
    "fullaccess_delegate_read": {
        "malicious": True, "rate": 0.05, "min": 1, "span_days": 1,
        "variants": {
            "fullaccess_owa": {"start_hour": (1, 20), "grant_to_read_min": (5, 90), "reads": (15, 60),
                               "items": (1, 6), "pace_s": (20, 240), "grant": "fullaccess", "client": "owa",
                               "net": "hosting"},
            "folder_permission_ews": {"start_hour": (1, 20), "grant_to_read_min": (10, 240), "reads": (10, 40),
                                      "items": (2, 15), "pace_s": (10, 120), "grant": "folder", "client": "ews",
                                      "net": "proxy"},
            "fullaccess_insider_desktop": {"start_hour": (9, 16), "grant_to_read_min": (30, 300), "reads": (8, 30),
                                           "items": (1, 5), "pace_s": (120, 900), "grant": "fullaccess",
                                           "client": "desk", "net": "own"},
        }},
    "audit_tamper_then_access": {
        "malicious": True, "rate": 0.05, "min": 1, "span_days": 1,
        "variants": {
            "bypass_association": {"start_hour": (0, 20), "tamper_to_read_min": (5, 60), "reads": (20, 60),
                                   "gap_hours": (24, 24), "net": "hosting"},
            "audit_disabled": {"start_hour": (0, 20), "tamper_to_read_min": (5, 120), "reads": (20, 60),
                               "gap_hours": (24, 24), "net": "hosting"},
            "auditowner_trimmed": {"start_hour": (0, 20), "tamper_to_read_min": (10, 180), "reads": (20, 60),
                                   "gap_hours": (24, 24), "net": "proxy"},
            "ingestion_off": {"start_hour": (1, 18), "tamper_to_read_min": (2, 20), "reads": (40, 120),
                              "gap_hours": (1, 3), "net": "hosting"},
            "org_audit_disabled": {"start_hour": (1, 18), "tamper_to_read_min": (2, 30), "reads": (30, 90),
                                   "gap_hours": (1, 4), "net": "tor"},
        }},
    "rbac_app_role_assignment": {
        "malicious": True, "rate": 0.04, "min": 1, "span_days": 2,
        "variants": {
            "exec_scope": {"start_hour": (0, 20), "grant_to_read_min": (20, 240), "scope": "exec",
                           "records_per_mailbox": (3, 12), "items": (5, 40), "pace_s": (5, 60), "net": "hosting"},
            "finance_scope": {"start_hour": (0, 20), "grant_to_read_min": (60, 600), "scope": "finance",
                              "records_per_mailbox": (2, 8), "items": (2, 20), "pace_s": (30, 300),
                              "net": "proxy"},
            "unscoped": {"start_hour": (0, 20), "grant_to_read_min": (10, 120), "scope": "all",
                         "records_per_mailbox": (1, 3), "items": (3, 15), "pace_s": (2, 20), "net": "hosting"},
        }},
    "graph_search_query": {
        "malicious": True, "rate": 0.06, "min": 1, "span_days": 1,
        "variants": {
            "search_query_post": {"start_hour": (0, 23), "searches": (15, 60), "pace_s": (2, 20), "reads": (0, 2),
                                  "ua": "graphrunner", "mode": "post", "net": "hosting"},
            "dollar_search": {"start_hour": (0, 23), "searches": (10, 40), "pace_s": (5, 60), "reads": (1, 5),
                              "ua": "powershell", "mode": "get", "net": "proxy"},
            "mixed_devicecode": {"start_hour": (0, 23), "searches": (20, 50), "pace_s": (3, 30), "reads": (1, 3),
                                 "ua": "python", "mode": "mixed", "net": "tor"},
        }},
    "forged_token": {
        "malicious": True, "rate": 0.05, "min": 1, "span_days": 1,
        "variants": {
            "owa_forged": {"start_hour": (0, 23), "victims": (1, 3), "records_per_victim": (5, 25),
                           "items": (1, 6), "pace_s": (20, 300), "path": "owa", "net": "tor"},
            "rest_unknown_app": {"start_hour": (0, 23), "victims": (1, 4), "records_per_victim": (5, 20),
                                 "items": (1, 10), "pace_s": (10, 120), "path": "rest", "net": "hosting"},
            "graph_first_party": {"start_hour": (0, 23), "victims": (2, 5), "records_per_victim": (3, 15),
                                  "items": (2, 20), "pace_s": (5, 90), "path": "graph", "net": "proxy"},
        }},
    "impossible_travel": {
        "malicious": True, "rate": 0.08, "min": 1, "span_days": 1,
        "variants": {
            "residential_proxy": {"after_victim_min": (20, 120), "reads": (10, 40), "items": (1, 5),
                                  "pace_s": (30, 300), "net": "proxy", "mfa": False},
            "hosting_mfa_fatigue": {"after_victim_min": (10, 60), "reads": (15, 50), "items": (1, 8),
                                    "pace_s": (20, 200), "net": "hosting", "mfa": True},
            "tor_session": {"after_victim_min": (5, 45), "reads": (5, 20), "items": (1, 4), "pace_s": (60, 600),
                            "net": "tor", "mfa": False},
        }},
    "low_and_slow_unapproved_app": {
        "malicious": True, "rate": 0.04, "min": 1, "span_days": 4,
        "variants": {
            "graph_sdk_hours": {"start_hour": (0, 23), "victims": (3, 8), "interval_h": (3, 8), "items": (1, 3),
                                "ua": "graphsdk", "net": "hosting", "grant_first": True},
            "python_daily": {"start_hour": (0, 23), "victims": (2, 5), "interval_h": (10, 26), "items": (1, 5),
                             "ua": "python", "net": "proxy", "grant_first": False},
            "okhttp_jitter": {"start_hour": (0, 23), "victims": (4, 10), "interval_h": (2, 12), "items": (1, 2),
                              "ua": "okhttp", "net": "hosting", "grant_first": False},
        }},
    # --- benign look-alikes (labelled malicious 0) ---------------------------------------------------
    "benign_tenantwide_app_rollout": {
        "malicious": False, "rate": 0.02, "min": 1, "span_days": 2,
        "variants": {
            "signature_app": {"start_hour": (14, 20), "consent_to_read_min": (10, 60), "per_day": (400, 1500),
                              "items": (1, 5), "pace_s": (1, 6)},
        }},
    "benign_night_owner": {
        "malicious": False, "rate": 0.1, "min": 1, "span_days": 1,
        "variants": {
            "desktop_home": {"local_start_hour": (23, 26), "duration_min": (20, 150), "reads": (5, 25),
                             "items": (1, 4)},
            "mobile_home": {"local_start_hour": (0, 4), "duration_min": (10, 60), "reads": (3, 12), "items": (1, 3)},
        }},
    "benign_user_travel": {
        "malicious": False, "rate": 0.08, "min": 1, "span_days": 3,
        "variants": {
            "conference_trip": {"days_away": (1, 2), "destination": ("travel_jp", "travel_sg", "travel_es",
                                                                     "travel_ca")},
        }},
}


def sample(rng, rng_range):
    if not isinstance(rng_range, tuple):
        return rng_range
    if isinstance(rng_range[0], str):
        return rng.choice(rng_range)
    lo, hi = rng_range
    if isinstance(lo, float) or isinstance(hi, float):
        return rng.uniform(lo, hi)
    return rng.randint(lo, hi)


class Inst:
    """One planned scenario instance (small; planned before generation so audit gaps are known)."""

    def __init__(self, name, variant, idx, day, rng):
        self.name, self.variant, self.idx, self.day = name, variant, idx, day
        spec = SCENARIOS[name]
        self.malicious = spec["malicious"]
        self.p = {k: sample(rng, v) for k, v in spec["variants"][variant].items()}
        self.label = (name, 1 if self.malicious else 0, variant, str(idx))
        self.days = [day]
        self.victims = []
        self.app = None
        self.t0 = None
        self.extra = {}


# --- planning -------------------------------------------------------------------------------------

def plan(ctx, quiet_days, scale, only=None):
    t = ctx.tenant
    days = list(range(quiet_days, t.days))
    insts = []
    if not days:
        return insts
    used = set()
    n_mbx = len(t.mailboxes)
    for name, spec in SCENARIOS.items():
        if only is not None and name not in only:
            continue
        rng = rng_for(ctx.seed, "plan", name)
        count = max(spec["min"], int(round(spec["rate"] * n_mbx * len(days) / 1000.0 * scale)))
        variants = list(spec["variants"])
        offset = rng.randrange(len(variants))
        for i in range(count):
            variant = variants[(i + offset) % len(variants)]
            idx = len(insts)
            day = days[(i * 7 + rng.randrange(len(days))) % len(days)] if i else rng.choice(days)
            inst = Inst(name, variant, idx, day, rng_for(ctx.seed, "inst", name, i))
            PLANNERS.get(name, plan_default)(ctx, inst, rng_for(ctx.seed, "instplan", name, i), used)
            inst.days = [d for d in range(inst.day, min(t.days, inst.day + spec["span_days"]))]
            insts.append(inst)
    return insts


def pick_victim(ctx, rng, used, pool=None, need=None):
    t = ctx.tenant
    pool = pool if pool is not None else t.users
    cands = [i for i in pool if i not in used and (need is None or need(t.mailboxes[i]))]
    if not cands:
        cands = [i for i in pool if need is None or need(t.mailboxes[i])] or list(pool)
    v = cands[rng.randrange(len(cands))]
    used.add(v)
    return v


def ds_of(ctx, day):
    return ctx.tenant.start_epoch + day * 86400


def plan_default(ctx, inst, rng, used):
    inst.victims = [pick_victim(ctx, rng, used)]
    hr = inst.p.get("start_hour", (8, 18))
    inst.t0 = ds_of(ctx, inst.day) + hr * 3600 + rng.randint(0, 3599) if isinstance(hr, int) else \
        ds_of(ctx, inst.day) + 9 * 3600


def active_victim(ctx, rng, used, inst, need=None):
    """A user who works on inst.day (so an attacker can ride their session)."""
    t = ctx.tenant
    for _ in range(40):
        v = pick_victim(ctx, rng, used, need=need)
        p = day_plan(ctx, t.mailboxes[v], inst.day)
        if p.active and t.mailboxes[v].desktop is not None or (p.active and t.mailboxes[v].owa):
            return v, p
    return v, p


def plan_victim_session(ctx, inst, rng, used):
    v, p = active_victim(ctx, rng, used, inst)
    inst.victims = [v]
    inst.extra["plan"] = p
    inst.t0 = p.ws + inst.p["after_victim_min"] * 60


def plan_keyword(ctx, inst, rng, used):
    need = (lambda m: m.search_audit) if inst.p["via"] == "owa" else None
    inst.victims = [pick_victim(ctx, rng, used, need=need)]
    inst.t0 = ds_of(ctx, inst.day) + inst.p["start_hour"] * 3600 + rng.randint(0, 3599)


def plan_multi(ctx, inst, rng, used, n, pool=None):
    inst.victims = [pick_victim(ctx, rng, used, pool=pool) for _ in range(n)]
    inst.t0 = ds_of(ctx, inst.day) + inst.p["start_hour"] * 3600 + rng.randint(0, 3599)


def plan_full_access(ctx, inst, rng, used):
    t = ctx.tenant
    n = min(inst.p["victims"], len(t.execs))
    inst.victims = sorted(rng.sample(t.execs, n))
    inst.t0 = ds_of(ctx, inst.day) + inst.p["start_hour"] * 3600 + rng.randint(0, 3599)


def plan_tamper(ctx, inst, rng, used):
    v = inst.p
    plan_default(ctx, inst, rng, used)
    t0 = inst.t0
    gap = v["gap_hours"] * 3600
    victim = inst.victims[0]
    if inst.variant == "bypass_association":
        inst.extra["actor"] = ctx.tenant.mailboxes[pick_victim(ctx, rng, used)]
        ctx.add_rule("actor", inst.extra["actor"].upn, t0 + 1, t0 + gap)
    elif inst.variant == "audit_disabled":
        ctx.add_rule("mailbox", victim, t0 + 1, ctx.tenant.start_epoch + ctx.tenant.days * 86400, "all")
    elif inst.variant == "auditowner_trimmed":
        ctx.add_rule("mailbox", victim, t0 + 1, ctx.tenant.start_epoch + ctx.tenant.days * 86400, "owner_mia")
    elif inst.variant == "ingestion_off":
        ctx.add_rule("tenant", str(inst.idx), t0 + 1, t0 + gap, "ual")
    elif inst.variant == "org_audit_disabled":
        ctx.add_rule("tenant", str(inst.idx), t0 + 1, t0 + gap, "mailbox")
    inst.extra["gap_end"] = t0 + gap


def plan_rbac(ctx, inst, rng, used):
    t = ctx.tenant
    scope = inst.p["scope"]
    if scope == "exec":
        inst.victims = list(t.execs)
    elif scope == "finance":
        inst.victims = [i for i in t.shared[:3]] + [pick_victim(ctx, rng, used) for _ in range(3)]
    else:
        inst.victims = sorted(rng.sample(t.users, min(len(t.users), rng.randint(15, 40))))
    inst.t0 = ds_of(ctx, inst.day) + inst.p["start_hour"] * 3600 + rng.randint(0, 3599)


def plan_travel(ctx, inst, rng, used):
    t = ctx.tenant
    v = pick_victim(ctx, rng, used, need=lambda m: m.travel is None)
    mbx = t.mailboxes[v]
    day = inst.day
    away = inst.p["days_away"]
    # day `day` is spent in transit; with no later day in the window the trip starts a day earlier
    start = day if day + 1 < t.days else day - 1
    mbx.travel = (start, away, inst.p["destination"])
    inst.victims = [v]
    inst.t0 = ds_of(ctx, day)
    ctx.label_override[v] = (set(range(start, start + away + 1)), inst.label)


def plan_night(ctx, inst, rng, used):
    v = pick_victim(ctx, rng, used, need=lambda m: m.desktop is not None or m.mobile is not None)
    inst.victims = [v]
    mbx = ctx.tenant.mailboxes[v]
    inst.t0 = ds_of(ctx, inst.day) + ((inst.p["local_start_hour"] - mbx.tz) % 24) * 3600 + rng.randint(0, 3599)


def plan_rollout(ctx, inst, rng, used):
    inst.t0 = ds_of(ctx, inst.day) + inst.p["start_hour"] * 3600 + rng.randint(0, 3599)


PLANNERS = {
    "stolen_token_new_country": plan_victim_session,
    "impossible_travel": plan_victim_session,
    "keyword_search_scripted": plan_keyword,
    "full_access_as_app_ews": plan_full_access,
    "audit_tamper_then_access": plan_tamper,
    "rbac_app_role_assignment": plan_rbac,
    "benign_user_travel": plan_travel,
    "benign_night_owner": plan_night,
    "benign_tenantwide_app_rollout": plan_rollout,
    "fanout_many_mailboxes": lambda c, i, r, u: plan_multi(c, i, r, set(), min(len(c.tenant.users),
                                                                                    i.p["mailboxes"])),
    "forged_token": lambda c, i, r, u: plan_multi(c, i, r, u, i.p["victims"],
                                                  pool=c.tenant.execs + c.tenant.users[:50]),
    "low_and_slow_unapproved_app": lambda c, i, r, u: plan_multi(c, i, r, u, i.p["victims"]),
}


def plan_throttle_rules(ctx, insts):
    """Throttled mailboxes stop logging Bind for 24 h after the throttle; known from the plan."""
    for inst in insts:
        if inst.name == "bulk_read_throttled":
            p = inst.p
            rng = rng_for(ctx.seed, "bulk-pace", inst.idx)
            ts = inst.t0 + 60
            for _ in range(p["records"] + p["throttled_records"]):
                ts += rng.uniform(*SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"])
            inst.extra["throttle_end"] = ts
            ctx.add_rule("mailbox", inst.victims[0], ts + 1, ts + 86400, "bind")


# --- shared generator helpers -------------------------------------------------------------------

def attacker_net(ctx, inst, rng, kind, tag=0):
    roles = {"hosting": ("hosting",), "proxy": ("proxy",), "tor": ("tor",)}[kind]
    names = networks.names_with_role(*roles)
    net = names[mix(ctx.seed, "atknet", inst.idx, tag) % len(names)]
    return net, networks.ip_in(net, ctx.seed, "atk", inst.idx, tag)


def mal_app(ctx, inst, name, ua_key, net):
    seed = ctx.seed
    return App(guid_of(seed, "malapp", inst.idx), name, guid_of(seed, "malsp", inst.idx), "unapproved",
               "app-only", net, UA.get(ua_key, ua_key))


APP_NAMES = ("Mail Helper", "DocuSign Viewer", "Outlook Sync Pro", "Invoice Reader", "Q4 Bonus Portal",
             "SharePoint Secure Viewer", "Teams Meeting Add-in", "PDF Converter Online", "Legacy Test Harness",
             "MailSync Connector", "O365 Migration Tool", "eFax Viewer")


class Aggregator:
    """Turns individual binds into MailItemsAccessed records the way Exchange aggregates them
    (all binds of one folder within 2 minutes in one record), optionally throttling after N records."""

    def __init__(self, ctx, em, label, mbx, make, throttle_at=None, throttled_max=0):
        self.ctx, self.em, self.label, self.mbx, self.make = ctx, em, label, mbx, make
        self.open = {}
        self.records = 0
        self.throttle_at, self.throttled_max = throttle_at, throttled_max
        self.stopped = False

    def add(self, ts, fi, ks):
        if self.stopped:
            return False
        cur = self.open.get(fi)
        if cur is not None and ts - cur[0] >= 120:
            self._emit(fi)
            cur = None
        if cur is None:
            cur = self.open[fi] = [ts, [], 0]
        cur[1].extend(ks)
        cur[2] += len(ks)
        return not self.stopped

    def _emit(self, fi):
        start, ks, count = self.open.pop(fi)
        throttled = "False"
        if self.throttle_at is not None and self.records >= self.throttle_at:
            throttled = "True"
            if self.records >= self.throttle_at + self.throttled_max:
                self.stopped = True
                return
        folder = mailstore.folder(self.ctx.seed, self.mbx, fi)
        folder["FolderItems"] = mailstore.items(self.ctx.seed, self.mbx, fi, sorted(set(ks))[:25])
        rec = self.make(start, [folder], count, throttled)
        self.em.ual(start, rec, self.label, mbx=self.mbx.idx, edge=S.edge_for(self.mbx, [folder]))
        self.records += 1

    def emit_now(self):
        for fi in sorted(self.open):
            self._emit(fi)

    def flush(self):
        self.emit_now()


def token_fn(ctx, inst, tag, life, t_start):
    def tok(ts):
        k = max(0, int((ts - t_start) // life))
        return uti_of(ctx.seed, "atk-tok", inst.idx, tag, k), t_start + k * life, k
    return tok


def graph_row(ctx, em, inst, ts, ip, app_id, method, uri, ua, uti, iat, sid, user_oid, sp_id, roles, scopes, idtyp,
              auth, rng, status=200, size=None):
    rec = R.graph_activity(ctx.tenant, ts, em.new_id(), ip, app_id, method, uri, ua, uti, iat,
                           "C_Sid" if rng.random() < 0.7 else "c_Sid", sid, user_oid, sp_id, roles, scopes, idtyp,
                           auth, size or rng.randint(2000, 400000), rng.randint(40, 2500), status)
    em.eh(ts, rec, inst.label)


def user_signin(ctx, em, inst, ts, user, app_id, app_name, resource, net, ip, ua, sid, uti, interactive,
                protocol="none", client_app="Browser", mfa=True, ual=False):
    t, seed = ctx.tenant, ctx.seed
    rid = guid_of(seed, "atk-signin", inst.idx, uti)
    corr = guid_of(seed, "atk-corr", inst.idx, uti)
    cat = "SignInLogs" if interactive else "NonInteractiveUserSignInLogs"
    em.eh(ts, R.eh_signin(t, ts, cat, rid, corr, net, ip, app_id, app_name, resource, ua, sid, uti, protocol,
                          client_app, user=user, mfa=mfa,
                          token_type="none" if interactive else "refreshToken"), inst.label)
    if ual:
        em.ual(ts, R.user_logged_in(t, ts, em.new_id(), user.upn, user.oid, app_id, resource, ip, ua,
                                    "OAuth2:Authorize" if protocol != "deviceCode" else "OAuth2:DeviceCode",
                                    sid, "Windows 10", "Chrome", rid, corr), inst.label)


def app_only_record(ctx, mbx, app, path, ip, xsid, aac, info=None):
    t = ctx.tenant

    def make(ts, folders, count, throttled, _id=None):
        if path == "graph":
            return R.mail_items_accessed(t, ts, make.em.new_id(), mbx, mbx.upn, app.app_id, 5, 0,
                                         "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app.app_id, xsid, "Bind",
                                         folders, count, aac(ts), throttled,
                                         actor_info="Client=REST;Client=RESTSystem;UserAgent=[NoUserAgent]"
                                                    "[AppId=%s];" % app.app_id)
        return R.mail_items_accessed(t, ts, make.em.new_id(), mbx, mbx.upn, app.app_id, 5, 0, info, ip, app.app_id,
                                     app.app_id, xsid, "Bind", folders, count, aac(ts), throttled, actor_info=info)
    return make


# --- generators -----------------------------------------------------------------------------------

def g_illicit_consent_graph(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    victim = t.mailboxes[inst.victims[0]]
    vp = day_plan(ctx, victim, inst.day)
    app = mal_app(ctx, inst, APP_NAMES[inst.idx % len(APP_NAMES)], P["ua"], None)
    ts = inst.t0
    sid0 = guid_of(seed, "consent-sid", inst.idx)
    user_signin(ctx, em, inst, ts - 30, victim, app.app_id, app.name, APP_GRAPH, vp.net, vp.ip, S.BROWSER_UA["Edge"],
                sid0, uti_of(seed, "consent-uti", inst.idx), True, ual=True)
    user_consent(ctx, em, ts, victim, app, P["scopes"], vp.ip, L)
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    ua = UA[P["ua"]]
    ts += P["first_read_min"] * 60
    tok = token_fn(ctx, inst, "cg", 3600, ts)
    xsid = guid_of(seed, "atk-xs", inst.idx)
    last_k = -1

    def make(t_, folders, count, throttled):
        uti, iat, _ = tok(t_)
        return R.mail_items_accessed(t, t_, em.new_id(), victim, victim.upn, victim.puid, 0, 0,
                                     "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app.app_id, xsid, "Bind",
                                     folders, count, R.app_access_context(app.app_id, iat, uti, sid0, APP_GRAPH),
                                     throttled, token_oid=victim.oid)
    agg = Aggregator(ctx, em, L, victim, make)
    skip = 0
    for i in range(P["requests"]):
        uti, iat, k = tok(ts)
        if k != last_k:
            user_signin(ctx, em, inst, iat - 1, victim, app.app_id, app.name, APP_GRAPH, net, ip, ua, sid0, uti,
                        False, client_app="Mobile Apps and Desktop clients")
            last_k = k
        fi = mailstore.INBOX if rng.random() < 0.7 else mailstore.pick_folder(rng)
        top = P["top"]
        uri = ("https://graph.microsoft.com/v1.0/me/mailFolders/%s/messages?$top=%d&$skip=%d"
               % ("inbox" if fi == mailstore.INBOX else mailstore.folder_id(seed, victim, fi), top, skip))
        skip += top
        graph_row(ctx, em, inst, ts, ip, app.app_id, "GET", uri, ua, uti, iat, sid0, victim.oid, "", "", P["scopes"],
                  "user", "0", rng)
        ks = mailstore.recent_indices(rng, victim, inst.day, fi, min(top, 60))
        agg.add(ts, fi, ks)
        ts += rng.uniform(*SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"])
    agg.flush()


def g_full_access_as_app_ews(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    app = mal_app(ctx, inst, "Legacy Test Harness", "python", None)
    actor = t.global_admin
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    ts = inst.t0
    corr = guid_of(seed, "fa-corr", inst.idx)
    ua = UA["powershell"]
    em.ual(ts, R.sp_credentials(t, ts, em.new_id(), actor, app, guid_of(seed, "key", inst.idx), "Password", ua, corr),
           L)
    old = [(APP_GRAPH, [("e1fe6dd8-ba31-4d61-89e7-88639da4683d", False)])]
    new = old + [(APP_EXO, [("dc890d15-9560-4a4c-9b7f-a736ec74ec40", True)])]
    em.ual(ts + 35, R.update_application(t, ts + 35, em.new_id(), actor, app, old, new, ua, corr), L)
    em.ual(ts + 70, R.app_role_assignment(t, ts + 70, em.new_id(), actor, app, "full_access_as_app",
                                          "dc890d15-9560-4a4c-9b7f-a736ec74ec40", "Office 365 Exchange Online",
                                          APP_EXO, t.exo_sp, ua, corr), L)
    em.ual(ts + 72, R.consent(t, ts + 72, em.new_id(), actor, app, "full_access_as_app", True, True, True, ua, None,
                              corr, guid_of(seed, "fa-grant", inst.idx)[:27], t.exo_sp), L)
    ts += 72 + P["grant_to_read_min"] * 60
    info = EWS_INFO[P["client"]]
    life = 3600
    tok = token_fn(ctx, inst, "fa", life, ts)
    last = -1
    xsid = guid_of(seed, "fa-xs", inst.idx)
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    for v in inst.victims:
        mbx = t.mailboxes[v]

        def aac(t_):
            uti, iat, _ = tok(t_)
            return R.app_access_context(app.app_id, iat, uti, api_id=APP_EXO)
        make = app_only_record(ctx, mbx, app, "ews", ip, xsid, aac, info)
        make.em = em
        agg = Aggregator(ctx, em, L, mbx, make)
        for _ in range(P["records_per_victim"]):
            uti, iat, k = tok(ts)
            if k != last:
                sp_signin(ctx, em, iat, app, ip, net, uti, resource=APP_EXO, credential=P["credential"], label=L)
                last = k
            fi = mailstore.pick_folder(rng)
            agg.add(ts, fi, mailstore.recent_indices(rng, mbx, inst.day, fi, P["items"]))
            agg.emit_now()
            ts += rng.uniform(*pace)
        agg.flush()


def victim_session(ctx, inst, victim):
    code = "desk" if victim.desktop == "classic" else ("new" if victim.desktop == "new" else "owa")
    p = inst.extra.get("plan") or day_plan(ctx, victim, inst.day)
    return S.Session(ctx, code, victim, inst.day, p.ws, p.we, p.net, p.ip, rng_for(ctx.seed, "dummy")), code


def g_stolen_token(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    victim = t.mailboxes[inst.victims[0]]
    vs, code = victim_session(ctx, inst, victim)
    sid = vs.sid  # the victim's own session id, replayed
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    ua = UA[P["ua"]]
    ts = inst.t0
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    tok = token_fn(ctx, inst, "st", 3600, ts)
    last = -1
    variant = inst.variant
    client_app = APP_OUTLOOK_DESKTOP if variant != "owa_replay" else APP_OWA
    xsid = guid_of(seed, "st-xs", inst.idx) if variant != "owa_replay" else vs.xsid

    def make(t_, folders, count, throttled):
        uti, iat, _ = tok(t_)
        aac = R.app_access_context(client_app, iat, uti, sid, APP_GRAPH if variant == "graph_python" else APP_EXO)
        if variant == "graph_python":
            return R.mail_items_accessed(t, t_, em.new_id(), victim, victim.upn, victim.puid, 0, 0,
                                         "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, client_app, xsid, "Bind",
                                         folders, count, aac, throttled, token_oid=victim.oid)
        if variant == "owa_replay":
            return R.mail_items_accessed(t, t_, em.new_id(), victim, victim.upn, victim.puid, 0, 0,
                                         "Client=OWA;" + ua + ";", ip, APP_EXO, "", xsid, "Bind", folders, count,
                                         aac, throttled)
        return R.mail_items_accessed(t, t_, em.new_id(), victim, victim.upn, victim.puid, 0, 0,
                                     "Client=WebServices;" + ua + ";", ip, client_app, client_app, xsid, "Bind",
                                     folders, count, aac, throttled)
    agg = Aggregator(ctx, em, L, victim, make)
    for i in range(P["requests"]):
        uti, iat, k = tok(ts)
        if k != last:
            user_signin(ctx, em, inst, iat - 1, victim, client_app, R.app_name(client_app), APP_EXO if variant !=
                        "graph_python" else APP_GRAPH, net, ip, ua, sid, uti, False,
                        client_app="Browser" if variant == "owa_replay" else "Mobile Apps and Desktop clients")
            last = k
        fi = mailstore.INBOX if rng.random() < 0.6 else mailstore.pick_folder(rng)
        n = P["top"]
        if variant == "graph_python":
            uri = ("https://graph.microsoft.com/v1.0/me/mailFolders/%s/messages?$top=%d&$select=subject,body,from"
                   % ("inbox" if fi == 0 else mailstore.folder_id(seed, victim, fi), n))
            graph_row(ctx, em, inst, ts, ip, client_app, "GET", uri, ua, uti, iat, sid, victim.oid, "", "",
                      "Mail.ReadWrite Mail.Send User.Read offline_access", "user", "0", rng)
        agg.add(ts, fi, mailstore.recent_indices(rng, victim, inst.day, fi, min(n, 60)))
        ts += rng.uniform(*pace)
    agg.flush()
    if P["inbox_rule"]:
        name = rng.choice(("..", "RSS", "Archive sync", "."))
        params = [("Name", name), ("SubjectOrBodyContainsWords", "invoice;payment;wire;bank"),
                  ("MoveToFolder", "RSS Feeds"), ("MarkAsRead", "True"), ("StopProcessingRules", "True")]
        em.ual(ts, R.cmdlet(t, ts, em.new_id(), "New-InboxRule", victim.upn, victim.puid, params,
                            R.mailbox_object_id(t, victim.alias) + "\\" + name, ip, xsid, user_type=0,
                            app_id=APP_OWA), L)


def g_keyword_search(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    victim = t.mailboxes[inst.victims[0]]
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    ts = inst.t0
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    vs, _ = victim_session(ctx, inst, victim)
    sid = vs.sid
    tok = token_fn(ctx, inst, "kw", 3600, ts)
    last = -1
    graph = P["via"] == "graph"
    app_id = APP_OUTLOOK_DESKTOP if graph else APP_OWA
    ua = UA["python"] if graph else UA["browser"]
    s = S.Session(ctx, "owa", victim, inst.day, ts, ts + 86400, net, ip, rng, tag="atk%d" % inst.idx)
    s.xsid = guid_of(seed, "kw-xs", inst.idx)

    def make(t_, folders, count, throttled):
        uti, iat, _ = tok(t_)
        aac = R.app_access_context(app_id, iat, uti, sid, APP_GRAPH if graph else APP_EXO)
        if graph:
            return R.mail_items_accessed(t, t_, em.new_id(), victim, victim.upn, victim.puid, 0, 0,
                                         "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app_id, s.xsid, "Bind",
                                         folders, count, aac, throttled, token_oid=victim.oid)
        return R.mail_items_accessed(t, t_, em.new_id(), victim, victim.upn, victim.puid, 0, 0,
                                     "Client=OWA;Action=ViaProxy", ip, APP_EXO, "", s.xsid, "Bind", folders, count,
                                     aac, throttled)
    agg = Aggregator(ctx, em, L, victim, make)
    for i in range(P["searches"]):
        uti, iat, k = tok(ts)
        if k != last:
            user_signin(ctx, em, inst, iat - 1, victim, app_id, R.app_name(app_id), APP_GRAPH if graph else APP_EXO,
                        net, ip, ua, sid, uti, False)
            last = k
        term = KEYWORDS[(i + inst.idx) % len(KEYWORDS)] if rng.random() < 0.8 else rng.choice(KEYWORDS)
        if graph:
            uri = ('https://graph.microsoft.com/v1.0/me/messages?$search="%s"&$top=%d&$select=subject,from,'
                   'bodyPreview' % (term.replace(" ", "%20"), rng.choice((25, 50, 100, 250))))
            graph_row(ctx, em, inst, ts, ip, app_id, "GET", uri, ua, uti, iat, sid, victim.oid, "", "",
                      "Mail.Read User.Read offline_access", "user", "0", rng)
        else:
            rec = R.search_query(t, ts, em.new_id(), victim, victim.upn, victim.puid, "Client=OWA;Action=ViaProxy",
                                 ip, APP_EXO, s.xsid, term, "OWA",
                                 R.app_access_context(APP_OWA, iat, uti, sid, APP_EXO))
            em.ual(ts, rec, L, mbx=victim.idx)
        for _ in range(P["reads_per_search"]):
            fi = mailstore.pick_folder(rng)
            agg.add(ts + rng.uniform(1, 8), fi, mailstore.recent_indices(rng, victim, inst.day, fi, 1))
        ts += rng.uniform(*pace)
    agg.flush()


def g_sync_non_outlook(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    victim = t.mailboxes[inst.victims[0]]
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    ts = inst.t0
    client = P["client"]
    sid = guid_of(seed, "sync-sid", inst.idx)
    uti = uti_of(seed, "sync-uti", inst.idx)
    xsid = guid_of(seed, "sync-xs", inst.idx)
    if client == "ews":
        info, app_id, aac = EWS_INFO["ews_managed"], APP_OUTLOOK_DESKTOP, None
    elif client == "imap":
        info, app_id, aac = "Client=POP3/IMAP4;Protocol=IMAP4", "", {}
    else:
        info, app_id, aac = "Client=MSExchangeRPC", APP_OUTLOOK_DESKTOP, None
    if client != "imap":
        user_signin(ctx, em, inst, ts - 20, victim, APP_OUTLOOK_DESKTOP, "Microsoft Office", APP_EXO, net, ip,
                    UA["python"] if client == "ews" else "Microsoft Office/16.0 (Windows NT 10.0; MAPI 15.0)", sid,
                    uti, True, protocol="ropc", client_app="Exchange Web Services" if client == "ews" else
                    "Mobile Apps and Desktop clients", mfa=False, ual=True)
        aac = R.app_access_context(APP_OUTLOOK_DESKTOP, ts - 20, uti, sid, APP_EXO)
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    for fi in range(min(P["folders"], len(mailstore.FOLDERS_EN))):
        rec = R.mail_items_accessed(t, ts, em.new_id(), victim, victim.upn, victim.puid, 0, 0, info, ip, app_id, "",
                                    xsid, "Sync", [mailstore.folder(seed, victim, fi)], 1, aac)
        if client == "mapi":
            rec["ClientProcessName"] = "python.exe"
            rec["ClientVersion"] = "15.0.0.0"
        em.ual(ts, rec, L, mbx=victim.idx, edge=S.edge_for(victim, rec["Folders"]))
        ts += rng.uniform(*pace)


def g_bulk_read(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    victim = t.mailboxes[inst.victims[0]]
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    path = P["path"]
    ts = inst.t0
    pace_rng = rng_for(seed, "bulk-pace", inst.idx)
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    xsid = guid_of(seed, "bulk-xs", inst.idx)
    sid = guid_of(seed, "bulk-sid", inst.idx)
    tok = token_fn(ctx, inst, "bulk", 3600, ts)
    last = -1
    app = mal_app(ctx, inst, APP_NAMES[(inst.idx + 3) % len(APP_NAMES)], "python", net)

    def make(t_, folders, count, throttled):
        uti, iat, _ = tok(t_)
        if path == "graph":
            return R.mail_items_accessed(t, t_, em.new_id(), victim, victim.upn, app.app_id, 5, 0,
                                         "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app.app_id, xsid, "Bind",
                                         folders, count, R.app_access_context(app.app_id, iat, uti), throttled,
                                         actor_info="Client=REST;Client=RESTSystem;UserAgent=[NoUserAgent]"
                                                    "[AppId=%s];" % app.app_id)
        if path == "ews":
            return R.mail_items_accessed(t, t_, em.new_id(), victim, victim.upn, victim.puid, 0, 0,
                                         EWS_INFO["exchangelib"], ip, APP_OUTLOOK_DESKTOP, APP_OUTLOOK_DESKTOP, xsid,
                                         "Bind", folders, count,
                                         R.app_access_context(APP_OUTLOOK_DESKTOP, iat, uti, sid, APP_EXO), throttled)
        return R.mail_items_accessed(t, t_, em.new_id(), victim, victim.upn, victim.puid, 0, 0,
                                     "Client=REST;Client=RESTSystem;;", ip, APP_AZURE_CLI, APP_AZURE_CLI, xsid, "Bind",
                                     folders, count, R.app_access_context(APP_AZURE_CLI, iat, uti, sid, APP_EXO),
                                     throttled, token_oid=victim.oid)
    agg = Aggregator(ctx, em, L, victim, make, throttle_at=P["records"], throttled_max=P["throttled_records"])
    ts += 60
    nfold = mailstore.folder_count(victim)
    cursor = [0] * nfold
    for i in range(P["records"] + P["throttled_records"]):
        ts += pace_rng.uniform(*pace)
        uti, iat, k = tok(ts)
        if k != last:
            if path == "graph":
                sp_signin(ctx, em, iat, app, ip, net, uti, credential="clientSecret", label=L)
            else:
                user_signin(ctx, em, inst, iat - 1, victim, APP_OUTLOOK_DESKTOP if path == "ews" else APP_AZURE_CLI,
                            "Microsoft Office" if path == "ews" else "Microsoft Azure CLI", APP_EXO, net, ip,
                            UA["python"], sid, uti, False, client_app="Mobile Apps and Desktop clients")
            last = k
        fi = i % nfold
        n = rng.randint(*SCENARIOS[inst.name]["variants"][inst.variant]["items"])
        top = mailstore.newest(victim, inst.day, fi)[0]
        ks = [max(0, top - 1 - cursor[fi] - j) for j in range(n)]
        cursor[fi] += n
        if path == "graph" and i % 4 == 0:
            uri = ("https://graph.microsoft.com/v1.0/users/%s/mailFolders/%s/messages?$top=%d&$skip=%d"
                   % (victim.oid, mailstore.folder_id(seed, victim, fi), n, cursor[fi]))
            graph_row(ctx, em, inst, ts, ip, app.app_id, "GET", uri, app.user_agent, uti, iat, None, "", app.sp_id,
                      "Mail.Read", "", "app", "1", rng)
        agg.add(ts, fi, ks)
        agg.emit_now()
        if agg.stopped:
            break
    agg.flush()


def g_fanout(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    ts = inst.t0
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    actor_kind = P["actor"]
    xsid = guid_of(seed, "fan-xs", inst.idx)
    sid = guid_of(seed, "fan-sid", inst.idx)
    tok = token_fn(ctx, inst, "fan", 3600, ts)
    last = -1
    app = mal_app(ctx, inst, APP_NAMES[(inst.idx + 5) % len(APP_NAMES)], "go", net)
    if actor_kind == "admin":
        actor = t.exchange_admin
    else:
        actor = t.mailboxes[inst.victims[0]]
    targets = [v for v in inst.victims if v != getattr(actor, "idx", -1)]
    for v in targets:
        mbx = t.mailboxes[v]
        for _ in range(P["records_per_mailbox"]):
            uti, iat, k = tok(ts)
            if k != last:
                if actor_kind == "app":
                    sp_signin(ctx, em, iat, app, ip, net, uti, credential="clientSecret", label=L)
                else:
                    user_signin(ctx, em, inst, iat - 1, actor, APP_OUTLOOK_DESKTOP, "Microsoft Office", APP_EXO, net,
                                ip, UA["powershell"], sid, uti, k == 0, protocol="ropc" if k == 0 else "none",
                                client_app="Exchange Web Services", mfa=False, ual=k == 0)
                last = k
            fi = mailstore.INBOX if rng.random() < 0.7 else mailstore.pick_folder(rng)
            ks = mailstore.recent_indices(rng, mbx, inst.day, fi, rng.randint(*SCENARIOS[inst.name]["variants"]
                                                                               [inst.variant]["items"]))
            folder = mailstore.folder_items(seed, mbx, fi, ks)
            if actor_kind == "app":
                rec = R.mail_items_accessed(t, ts, em.new_id(), mbx, mbx.upn, app.app_id, 5, 0,
                                            "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app.app_id, xsid, "Bind",
                                            [folder], len(ks), R.app_access_context(app.app_id, iat, uti),
                                            actor_info="Client=REST;Client=RESTSystem;UserAgent=[NoUserAgent]"
                                                       "[AppId=%s];" % app.app_id)
                uri = ("https://graph.microsoft.com/v1.0/users/%s/mailFolders/Inbox/messages?$top=%d"
                       % (mbx.upn, len(ks)))
                graph_row(ctx, em, inst, ts - 0.5, ip, app.app_id, "GET", uri, app.user_agent, uti, iat, None, "",
                          app.sp_id, "Mail.Read", "", "app", "1", rng)
            else:
                logon = 1 if actor_kind == "admin" else 2
                rec = R.mail_items_accessed(t, ts, em.new_id(), mbx, actor.upn, actor.puid, 2 if logon == 1 else 0,
                                            logon, EWS_INFO["ews_managed"], ip, APP_OUTLOOK_DESKTOP, "", xsid, "Bind",
                                            [folder], len(ks),
                                            R.app_access_context(APP_OUTLOOK_DESKTOP, iat, uti, sid, APP_EXO),
                                            logon_sid=actor.sid)
            em.ual(ts, rec, L, mbx=mbx.idx, edge=S.edge_for(mbx, [folder]))
            ts += rng.uniform(*pace)


def admin_cmdlet(ctx, em, inst, ts, op, params, target, ip, actor=None, user_type=2):
    t = ctx.tenant
    actor = actor or t.exchange_admin
    em.ual(ts, R.cmdlet(t, ts, em.new_id(), op, actor.upn, actor.puid, params, target, ip,
                        guid_of(ctx.seed, "adm-atk", inst.idx), user_type=user_type, app_id=APP_EXO_PS), inst.label,
           exempt=True)


def g_fullaccess(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    pool = t.execs
    target = t.mailboxes[pool[inst.idx % len(pool)]]
    actor = t.mailboxes[inst.victims[0]]
    ap = day_plan(ctx, actor, inst.day)
    if P["net"] == "own":
        net, ip = ap.net, ap.ip
        admin_ip = networks.ip_in("vpn_us", seed, "vpn", inst.idx)
    else:
        net, ip = attacker_net(ctx, inst, rng, P["net"])
        admin_ip = attacker_net(ctx, inst, rng, P["net"], 1)[1]
    ts = inst.t0
    if P["grant"] == "fullaccess":
        admin_cmdlet(ctx, em, inst, ts, "Add-MailboxPermission", [("Identity", target.alias), ("User", actor.upn),
                                                                  ("AccessRights", "FullAccess"),
                                                                  ("InheritanceType", "All"),
                                                                  ("AutoMapping", "False")],
                     R.mailbox_object_id(t, target.alias), admin_ip)
    else:
        admin_cmdlet(ctx, em, inst, ts, "Add-MailboxFolderPermission", [
            ("Identity", target.alias + ":\\Inbox"), ("User", actor.upn), ("AccessRights", "Reviewer")],
            R.mailbox_object_id(t, target.alias) + "\\Inbox", admin_ip)
    ts += P["grant_to_read_min"] * 60
    code = {"owa": "owa", "ews": "owa", "desk": "desk"}[P["client"]]
    s = S.Session(ctx, code, actor, inst.day, ts, ts + 6 * 3600, net, ip, rng, tag="fa%d" % inst.idx)
    if P["net"] != "own":
        S.emit_signins(em, ctx, s, True, label=L)
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    info = EWS_INFO["ews_managed"] if P["client"] == "ews" else None
    for _ in range(P["reads"]):
        fi = mailstore.INBOX if P["grant"] == "folder" or rng.random() < 0.6 else mailstore.pick_folder(rng)
        ks = mailstore.recent_indices(rng, target, inst.day, fi, rng.randint(*SCENARIOS[inst.name]["variants"]
                                                                             [inst.variant]["items"]))
        folders = [mailstore.folder_items(seed, target, fi, ks)]
        S.read(em, ctx, s, ts, folders, len(ks), "Bind", L, target=target, actor=actor, logon=2, info=info)
        ts += rng.uniform(*pace)


def g_tamper(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    victim = t.mailboxes[inst.victims[0]]
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    ts = inst.t0
    v = inst.variant
    obj = R.mailbox_object_id(t, victim.alias)
    actor_mbx = inst.extra.get("actor")
    if v == "bypass_association":
        admin_cmdlet(ctx, em, inst, ts, "Set-MailboxAuditBypassAssociation",
                     [("Identity", actor_mbx.upn), ("AuditBypassEnabled", "True")],
                     R.mailbox_object_id(t, actor_mbx.alias), ip)
        admin_cmdlet(ctx, em, inst, ts + 45, "Add-MailboxPermission",
                     [("Identity", victim.alias), ("User", actor_mbx.upn), ("AccessRights", "FullAccess"),
                      ("InheritanceType", "All"), ("AutoMapping", "False")], obj, ip)
    elif v == "audit_disabled":
        admin_cmdlet(ctx, em, inst, ts, "Set-Mailbox", [("Identity", victim.upn), ("AuditEnabled", "False")], obj, ip)
    elif v == "auditowner_trimmed":
        admin_cmdlet(ctx, em, inst, ts, "Set-Mailbox", [("Identity", victim.upn),
                                                        ("AuditOwner", '@{Remove="MailItemsAccessed"}')], obj, ip)
    elif v == "ingestion_off":
        admin_cmdlet(ctx, em, inst, ts, "Set-AdminAuditLogConfig", [("UnifiedAuditLogIngestionEnabled", "False")],
                     "Admin Audit Log Settings", ip)
        admin_cmdlet(ctx, em, inst, inst.extra["gap_end"] + 5, "Set-AdminAuditLogConfig",
                     [("UnifiedAuditLogIngestionEnabled", "True")], "Admin Audit Log Settings", ip)
    else:
        admin_cmdlet(ctx, em, inst, ts, "Set-OrganizationConfig", [("AuditDisabled", "True")], t.org_name, ip)
        admin_cmdlet(ctx, em, inst, inst.extra["gap_end"] + 5, "Set-OrganizationConfig", [("AuditDisabled", "False")],
                     t.org_name, ip)
    ts += P["tamper_to_read_min"] * 60
    # the access itself: delegated Graph reads with a token for the victim (or the bypassed account)
    who = actor_mbx or victim
    app_id = APP_OUTLOOK_DESKTOP
    sid = guid_of(seed, "tamp-sid", inst.idx)
    xsid = guid_of(seed, "tamp-xs", inst.idx)
    tok = token_fn(ctx, inst, "tamp", 3600, ts)
    last = -1
    ua = UA["python"]
    for i in range(P["reads"]):
        uti, iat, k = tok(ts)
        if k != last:
            user_signin(ctx, em, inst, iat - 1, who, app_id, "Microsoft Office", APP_GRAPH, net, ip, ua, sid, uti,
                        k == 0, ual=k == 0)
            last = k
        fi = mailstore.pick_folder(rng)
        ks = mailstore.recent_indices(rng, victim, inst.day, fi, rng.randint(2, 20))
        base = "me" if who is victim else "users/" + victim.upn
        uri = "https://graph.microsoft.com/v1.0/%s/mailFolders/%s/messages?$top=%d" % (
            base, "inbox" if fi == 0 else mailstore.folder_id(seed, victim, fi), len(ks))
        graph_row(ctx, em, inst, ts, ip, app_id, "GET", uri, ua, uti, iat, sid, who.oid, "", "",
                  "Mail.Read Mail.Read.Shared User.Read", "user", "0", rng)
        folder = mailstore.folder_items(seed, victim, fi, ks)
        rec = R.mail_items_accessed(t, ts + 1, em.new_id(), victim, who.upn, who.puid, 0, 0 if who is victim else 2,
                                    "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app_id, xsid, "Bind", [folder],
                                    len(ks), R.app_access_context(app_id, iat, uti, sid, APP_GRAPH),
                                    logon_sid=who.sid, token_oid=who.oid)
        em.ual(ts + 1, rec, L, mbx=victim.idx, edge=S.edge_for(victim, [folder]))
        ts += rng.uniform(5, 90)


def g_rbac(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    app = mal_app(ctx, inst, APP_NAMES[(inst.idx + 7) % len(APP_NAMES)], "graphsdk", net)
    ts = inst.t0
    admin_ip = attacker_net(ctx, inst, rng, P["net"], 2)[1]
    scope_name = {"exec": "Executive mailboxes", "finance": "Finance mailboxes", "all": ""}[P["scope"]]
    admin_cmdlet(ctx, em, inst, ts, "New-ServicePrincipal", [("AppId", app.app_id), ("ObjectId", app.sp_id),
                                                             ("DisplayName", app.name)], app.sp_id, admin_ip)
    if scope_name:
        filt = ("CustomAttribute1 -eq 'VIP'" if P["scope"] == "exec" else "Department -eq 'Finance'")
        admin_cmdlet(ctx, em, inst, ts + 40, "New-ManagementScope", [("Name", scope_name),
                                                                     ("RecipientRestrictionFilter", filt)],
                     scope_name, admin_ip)
    params = [("Name", "%s-Mail.Read" % app.name.replace(" ", "")), ("App", app.sp_id),
              ("Role", "Application Mail.Read")]
    if scope_name:
        params.append(("CustomResourceScope", scope_name))
    admin_cmdlet(ctx, em, inst, ts + 80, "New-ManagementRoleAssignment", params, params[0][1], admin_ip)
    ts += 80 + P["grant_to_read_min"] * 60
    tok = token_fn(ctx, inst, "rbac", 3600, ts)
    last = -1
    xsid = guid_of(seed, "rbac-xs", inst.idx)
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    for v in inst.victims:
        mbx = t.mailboxes[v]
        for _ in range(P["records_per_mailbox"]):
            uti, iat, k = tok(ts)
            if k != last:
                sp_signin(ctx, em, iat, app, ip, net, uti, credential="certificate", label=L)
                last = k
            fi = mailstore.pick_folder(rng)
            ks = mailstore.recent_indices(rng, mbx, inst.day, fi, rng.randint(*SCENARIOS[inst.name]["variants"]
                                                                               [inst.variant]["items"]))
            folder = mailstore.folder_items(seed, mbx, fi, ks)
            uri = "https://graph.microsoft.com/v1.0/users/%s/mailFolders/%s/messages?$top=%d" % (
                mbx.oid, mailstore.folder_id(seed, mbx, fi), len(ks))
            graph_row(ctx, em, inst, ts - 0.5, ip, app.app_id, "GET", uri, app.user_agent, uti, iat, None, "",
                      app.sp_id, "Mail.Read", "", "app", "2", rng)
            rec = R.mail_items_accessed(t, ts, em.new_id(), mbx, mbx.upn, app.app_id, 5, 0,
                                        "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app.app_id, xsid, "Bind",
                                        [folder], len(ks), R.app_access_context(app.app_id, iat, uti),
                                        actor_info="Client=REST;Client=RESTSystem;UserAgent=[NoUserAgent]"
                                                   "[AppId=%s];" % app.app_id)
            em.ual(ts, rec, L, mbx=mbx.idx, edge=S.edge_for(mbx, [folder]))
            ts += rng.uniform(*pace)


def g_graph_search(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    victim = t.mailboxes[inst.victims[0]]
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    ua = UA[P["ua"]]
    ts = inst.t0
    sid = guid_of(seed, "gs-sid", inst.idx)
    xsid = guid_of(seed, "gs-xs", inst.idx)
    tok = token_fn(ctx, inst, "gs", 3600, ts)
    last = -1
    app_id = APP_OUTLOOK_DESKTOP  # GraphRunner / TokenTactics default client id
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    scopes = "Mail.ReadWrite Mail.Send Files.ReadWrite.All User.Read Contacts.Read offline_access"

    def make(t_, folders, count, throttled):
        uti, iat, _ = tok(t_)
        return R.mail_items_accessed(t, t_, em.new_id(), victim, victim.upn, victim.puid, 0, 0,
                                     "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app_id, xsid, "Bind", folders,
                                     count, R.app_access_context(app_id, iat, uti, sid, APP_GRAPH), throttled,
                                     token_oid=victim.oid)
    agg = Aggregator(ctx, em, L, victim, make)
    for i in range(P["searches"]):
        uti, iat, k = tok(ts)
        if k != last:
            user_signin(ctx, em, inst, iat - 1, victim, app_id, "Microsoft Office", APP_GRAPH, net, ip, ua, sid, uti,
                        k == 0, protocol="deviceCode" if k == 0 else "none", ual=k == 0)
            last = k
        mode = P["mode"] if P["mode"] != "mixed" else ("post" if i % 2 else "get")
        if mode == "post":
            graph_row(ctx, em, inst, ts, ip, app_id, "POST", "https://graph.microsoft.com/v1.0/search/query", ua, uti,
                      iat, sid, victim.oid, "", "", scopes, "user", "0", rng)
        else:
            term = KEYWORDS[(i * 3 + inst.idx) % len(KEYWORDS)]
            uri = ('https://graph.microsoft.com/v1.0/me/messages?$search="%s"&$top=%d'
                   % (term.replace(" ", "%20"), rng.choice((10, 25, 50))))
            graph_row(ctx, em, inst, ts, ip, app_id, "GET", uri, ua, uti, iat, sid, victim.oid, "", "", scopes,
                      "user", "0", rng)
        for _ in range(P["reads"]):
            fi = mailstore.pick_folder(rng)
            agg.add(ts + 2, fi, mailstore.recent_indices(rng, victim, inst.day, fi, rng.randint(1, 3)))
        ts += rng.uniform(*pace)
    agg.flush()


def g_forged_token(ctx, em, inst, rng):
    """Mail access whose AppAccessContext token/session ids match no sign-in (Storm-0558 style)."""
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    ts = inst.t0
    path = P["path"]
    unknown_app = guid_of(seed, "forged-app", inst.idx)
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    for n, v in enumerate(inst.victims):
        mbx = t.mailboxes[v]
        sid = guid_of(seed, "forged-sid", inst.idx, v)
        xsid = guid_of(seed, "forged-xs", inst.idx, v)
        for j in range(P["records_per_victim"]):
            uti = uti_of(seed, "forged-uti", inst.idx, v, j // 6)
            iat = ts - rng.randint(60, 3000)
            fi = mailstore.INBOX if rng.random() < 0.7 else mailstore.pick_folder(rng)
            ks = mailstore.recent_indices(rng, mbx, inst.day, fi, rng.randint(*SCENARIOS[inst.name]["variants"]
                                                                               [inst.variant]["items"]))
            folder = mailstore.folder_items(seed, mbx, fi, ks)
            if path == "owa":
                rec = R.mail_items_accessed(t, ts, em.new_id(), mbx, mbx.upn, mbx.puid, 0, 0,
                                            "Client=OWA;Action=ViaProxy", ip, APP_EXO, "", xsid, "Bind", [folder],
                                            len(ks), R.app_access_context(APP_OWA, iat, uti, sid, APP_EXO))
            elif path == "rest":
                rec = R.mail_items_accessed(t, ts, em.new_id(), mbx, mbx.upn, mbx.puid, 0, 0,
                                            "Client=REST;Client=RESTSystem;;", ip, unknown_app, unknown_app, xsid,
                                            "Bind", [folder], len(ks),
                                            R.app_access_context(unknown_app, iat, uti, sid, APP_EXO),
                                            token_oid=mbx.oid)
            else:
                rec = R.mail_items_accessed(t, ts, em.new_id(), mbx, mbx.upn, mbx.puid, 0, 0,
                                            "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, APP_OUTLOOK_DESKTOP,
                                            xsid, "Bind", [folder], len(ks),
                                            R.app_access_context(APP_OUTLOOK_DESKTOP, iat, uti, sid, APP_GRAPH),
                                            token_oid=mbx.oid)
            em.ual(ts, rec, L, mbx=mbx.idx, edge=S.edge_for(mbx, [folder]))
            ts += rng.uniform(*pace)


def g_impossible_travel(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    victim = t.mailboxes[inst.victims[0]]
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    ts = inst.t0
    s = S.Session(ctx, "owa", victim, inst.day, ts, ts + 3 * 3600, net, ip, rng, tag="it%d" % inst.idx)
    user_signin(ctx, em, inst, ts - 30, victim, APP_OWA, "One Outlook Web", APP_EXO, net, ip, UA["browser"], s.sid,
                S.uti_of(seed, "tok", s.tag, victim.idx, s.day, s.code, 0), True, mfa=P["mfa"], ual=True)
    for k in range(1, s.n):
        kts = s.start + k * s.life - 2
        user_signin(ctx, em, inst, kts, victim, APP_OWA, "One Outlook Web", APP_EXO, net, ip, UA["browser"], s.sid,
                    S.uti_of(seed, "tok", s.tag, victim.idx, s.day, s.code, k), False)
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    for _ in range(P["reads"]):
        ts += rng.uniform(*pace)
        if ts >= s.end:
            break
        S.bind(em, ctx, s, ts, rng, rng.randint(*SCENARIOS[inst.name]["variants"][inst.variant]["items"]),
               label=L)


def g_low_and_slow(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    net, ip = attacker_net(ctx, inst, rng, P["net"])
    app = mal_app(ctx, inst, APP_NAMES[(inst.idx + 9) % len(APP_NAMES)], P["ua"], net)
    ts = inst.t0
    end = ds_of(ctx, inst.day) + SCENARIOS[inst.name]["span_days"] * 86400
    if P["grant_first"]:
        # Dark Halo style: a credential and the Graph Mail.Read application role added to an existing app
        actor = t.global_admin
        corr = guid_of(seed, "ls-corr", inst.idx)
        ua = UA["powershell"]
        em.ual(ts - 900, R.sp_credentials(t, ts - 900, em.new_id(), actor, app, guid_of(seed, "ls-key", inst.idx),
                                          "AsymmetricX509Cert", ua, corr), L)
        old = [(APP_GRAPH, [("e1fe6dd8-ba31-4d61-89e7-88639da4683d", False)])]
        new = [(APP_GRAPH, [("e1fe6dd8-ba31-4d61-89e7-88639da4683d", False),
                            ("810c84a8-4a9e-49e6-bf7d-12d183f40d01", True)])]
        em.ual(ts - 840, R.update_application(t, ts - 840, em.new_id(), actor, app, old, new, ua, corr), L)
        em.ual(ts - 780, R.app_role_assignment(t, ts - 780, em.new_id(), actor, app, "Mail.Read",
                                               "810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Microsoft Graph", APP_GRAPH,
                                               t.graph_sp, ua, corr), L)
    interval = SCENARIOS[inst.name]["variants"][inst.variant]["interval_h"]
    xsid = guid_of(seed, "ls-xs", inst.idx)
    i = 0
    while ts < end:
        uti = uti_of(seed, "ls-tok", inst.idx, i)
        sp_signin(ctx, em, ts - 2, app, ip, net, uti, credential="clientSecret", label=L)
        mbx = t.mailboxes[inst.victims[i % len(inst.victims)]]
        day = int((ts - t.start_epoch) // 86400)
        ks = mailstore.recent_indices(rng, mbx, day, mailstore.INBOX, rng.randint(*SCENARIOS[inst.name]["variants"]
                                                                                  [inst.variant]["items"]))
        folder = mailstore.folder_items(seed, mbx, mailstore.INBOX, ks)
        uri = "https://graph.microsoft.com/v1.0/users/%s/messages?$top=%d&$orderby=receivedDateTime%%20desc" % (
            mbx.oid, len(ks))
        graph_row(ctx, em, inst, ts, ip, app.app_id, "GET", uri, app.user_agent, uti, ts - 2, None, "", app.sp_id,
                  "Mail.Read", "", "app", "1", rng)
        rec = R.mail_items_accessed(t, ts + 1, em.new_id(), mbx, mbx.upn, app.app_id, 5, 0,
                                    "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app.app_id, xsid, "Bind",
                                    [folder], len(ks), R.app_access_context(app.app_id, ts - 2, uti),
                                    actor_info="Client=REST;Client=RESTSystem;UserAgent=[NoUserAgent][AppId=%s];"
                                               % app.app_id)
        em.ual(ts + 1, rec, L, mbx=mbx.idx, edge=S.edge_for(mbx, [folder]))
        ts += rng.uniform(*interval) * 3600
        i += 1


def g_rollout(ctx, em, inst, rng):
    """Benign: an approved app gets tenant-wide admin consent and reads mailboxes in waves."""
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    app = t.rollout
    ga = t.global_admin
    ts = inst.t0
    admin_ip = networks.ip_in("office_sea", seed, "nat", 1)
    corr = guid_of(seed, "roll-corr", inst.idx)
    em.ual(ts, R.consent(t, ts, em.new_id(), ga, app, "Mail.Read MailboxSettings.Read", True, True, True,
                         S.BROWSER_UA["Edge"], admin_ip, corr, guid_of(seed, "roll-grant", inst.idx)[:27],
                         t.graph_sp), L)
    em.ual(ts + 2, R.app_role_assignment(t, ts + 2, em.new_id(), ga, app, "Mail.Read",
                                         "810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Microsoft Graph", APP_GRAPH,
                                         t.graph_sp, S.BROWSER_UA["Edge"], corr), L)
    ts += P["consent_to_read_min"] * 60
    net = app.net
    ip = networks.ip_in(net, seed, "rollout", inst.idx)
    xsid = guid_of(seed, "roll-xs", inst.idx)
    tok = token_fn(ctx, inst, "roll", 3600, ts)
    last = -1
    n = len(t.mailboxes)
    per_day = min(n, P["per_day"])
    start = rng.randrange(n)
    pace = SCENARIOS[inst.name]["variants"][inst.variant]["pace_s"]
    day_end = ds_of(ctx, inst.day) + 86400
    for j in range(per_day * len(inst.days)):
        if j == per_day:
            ts = max(ts, day_end + 14 * 3600)
        mbx = t.mailboxes[(start + j) % n]
        uti, iat, k = tok(ts)
        if k != last:
            sp_signin(ctx, em, iat, app, ip, net, uti, label=L)
            last = k
        ks = mailstore.recent_indices(rng, mbx, inst.day, mailstore.SENT, rng.randint(*SCENARIOS[inst.name]
                                                                                      ["variants"][inst.variant]
                                                                                      ["items"]))
        folder = mailstore.folder_items(seed, mbx, mailstore.SENT, ks)
        rec = R.mail_items_accessed(t, ts, em.new_id(), mbx, mbx.upn, app.app_id, 5, 0,
                                    "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app.app_id, xsid, "Bind",
                                    [folder], len(ks), R.app_access_context(app.app_id, iat, uti),
                                    actor_info="Client=REST;Client=RESTSystem;UserAgent=[NoUserAgent][AppId=%s];"
                                               % app.app_id)
        em.ual(ts, rec, L, mbx=mbx.idx, edge=S.edge_for(mbx, [folder]))
        ts += rng.uniform(*pace)


def g_night(ctx, em, inst, rng):
    t, seed, P, L = ctx.tenant, ctx.seed, inst.p, inst.label
    mbx = t.mailboxes[inst.victims[0]]
    net = mbx.home_net
    ip = networks.ip_in(net, seed, "home", mbx.idx)
    if inst.variant == "mobile_home" and mbx.mobile:
        code = mbx.mobile
    else:
        code = "desk" if mbx.desktop == "classic" else ("new" if mbx.desktop == "new" else (mbx.mobile or "owa"))
    ts = inst.t0
    s = S.Session(ctx, code, mbx, inst.day, ts, ts + P["duration_min"] * 60, net, ip, rng, tag="nt%d" % inst.idx)
    S.emit_signins(em, ctx, s, False, label=L)
    for _ in range(P["reads"]):
        S.bind(em, ctx, s, rng.uniform(s.start + 20, s.end), rng, rng.randint(*SCENARIOS[inst.name]["variants"]
                                                                                [inst.variant]["items"]), label=L)


def g_travel(ctx, em, inst, rng):
    """The traveller's records come from the benign generator with this instance's label."""
    return


GENERATORS = {
    "illicit_consent_graph": g_illicit_consent_graph,
    "full_access_as_app_ews": g_full_access_as_app_ews,
    "stolen_token_new_country": g_stolen_token,
    "keyword_search_scripted": g_keyword_search,
    "sync_non_outlook": g_sync_non_outlook,
    "bulk_read_throttled": g_bulk_read,
    "fanout_many_mailboxes": g_fanout,
    "fullaccess_delegate_read": g_fullaccess,
    "audit_tamper_then_access": g_tamper,
    "rbac_app_role_assignment": g_rbac,
    "graph_search_query": g_graph_search,
    "forged_token": g_forged_token,
    "impossible_travel": g_impossible_travel,
    "low_and_slow_unapproved_app": g_low_and_slow,
    "benign_tenantwide_app_rollout": g_rollout,
    "benign_night_owner": g_night,
    "benign_user_travel": g_travel,
}
assert set(GENERATORS) == set(SCENARIOS)


def run_day(ctx, em, insts, day):
    """Emit every instance that starts on `day` in full; records after midnight reach later days
    through the writer's carry-over, and records past the window end are clipped."""
    for inst in insts:
        if inst.day == day:
            GENERATORS[inst.name](ctx, em, inst, rng_for(ctx.seed, "run", inst.idx))
