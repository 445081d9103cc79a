"""Client sessions, their tokens and sign-ins, and the mailbox records a session produces.

A session's tokens are numbered k = 0, 1, ... every `life` seconds. Each token has one sign-in
record (SignInLogs for an interactive first sign-in, NonInteractiveUserSignInLogs otherwise) whose
uniqueTokenIdentifier/sessionId reappear in the session's mail records as
AppAccessContext.UniqueTokenId/AADSessionId (and in Graph logs as signInActivityId/C_Sid), so a
benign mail record's token always matches a sign-in that was emitted.
"""

from common import guid, guid_of, uti_of
import mailstore
import records as R
from tenant import APP_EXO, APP_NEW_OUTLOOK, APP_OUTLOOK_DESKTOP, APP_OUTLOOK_MOBILE, APP_OWA
from outputs import BENIGN

DESKTOP_VERSION = "16.0.17928.20148"
DESKTOP_UA = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)"
NEW_OUTLOOK_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0 OneOutlook/1.2024.1030.300")
BROWSER_UA = {
    "Edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 "
            "Safari/537.36 Edg/130.0.0.0",
    "Chrome": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/130.0.0.0 Safari/537.36",
    "Safari": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/18.1 Safari/605.1.15",
    "Firefox": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
}
BROWSER_OS = {"Edge": "Windows10", "Chrome": "Windows10", "Safari": "MacOs", "Firefox": "Windows10"}


class Client:
    __slots__ = ("code", "info", "app_id", "client_app_id", "signin_app", "signin_name", "used", "life",
                 "source", "aac_app", "resource", "ua")

    def __init__(self, code, info, app_id, client_app_id, signin_app, signin_name, used, life, source, aac_app,
                 resource=APP_EXO, ua=None):
        self.code, self.info, self.app_id, self.client_app_id = code, info, app_id, client_app_id
        self.signin_app, self.signin_name, self.used, self.life = signin_app, signin_name, used, life
        self.source, self.aac_app, self.resource, self.ua = source, aac_app, resource, ua


CLIENTS = {
    "desk": Client("desk", "Client=MSExchangeRPC", APP_OUTLOOK_DESKTOP, "", APP_OUTLOOK_DESKTOP,
                   "Microsoft Office", "Mobile Apps and Desktop clients", (4 * 3600, 8 * 3600), "Outlook",
                   APP_OUTLOOK_DESKTOP),
    "new": Client("new", "Client=REST;Client=RESTSystem;;", APP_NEW_OUTLOOK, APP_NEW_OUTLOOK, APP_NEW_OUTLOOK,
                  "Outlook (new)", "Mobile Apps and Desktop clients", (3 * 3600, 6 * 3600), "Outlook",
                  APP_NEW_OUTLOOK),
    "owa": Client("owa", "Client=OWA;Action=ViaProxy", APP_EXO, "", APP_OWA, "One Outlook Web", "Browser",
                  (3600, 2 * 3600), "OWA", APP_OWA),
    "ios": Client("ios", "Client=OutlookService;Outlook-iOS/2.0;", APP_OUTLOOK_MOBILE, "", APP_OUTLOOK_MOBILE,
                  "Outlook Mobile", "Mobile Apps and Desktop clients", (4 * 3600, 8 * 3600), "OutlookMobile",
                  APP_OUTLOOK_MOBILE),
    "android": Client("android", "Client=OutlookService;Outlook-Android/2.0;", APP_OUTLOOK_MOBILE, "",
                      APP_OUTLOOK_MOBILE, "Outlook Mobile", "Mobile Apps and Desktop clients",
                      (4 * 3600, 8 * 3600), "OutlookMobile", APP_OUTLOOK_MOBILE),
    "imap": Client("imap", "Client=POP3/IMAP4;Protocol=IMAP4", "", "", None, "", "IMAP4", (86400, 86400), "", None),
}


def user_agent(code, mbx):
    if CLIENTS[code].ua:
        return CLIENTS[code].ua
    if code == "desk":
        return DESKTOP_UA
    if code == "new":
        return NEW_OUTLOOK_UA
    if code == "ios":
        return "Outlook-iOS/2.0"
    if code == "android":
        return "Outlook-Android/2.0"
    return BROWSER_UA[mbx.browser]


def device(code, mbx):
    if code in ("ios", "android"):
        return {"deviceId": "", "operatingSystem": "Ios" if code == "ios" else "Android", "browser": ""}
    if code == "owa":
        return {"deviceId": "", "operatingSystem": BROWSER_OS[mbx.browser], "browser": mbx.browser + " 130.0.0"}
    return {"deviceId": guid_of(mbx.guid, "device"), "displayName": mbx.alias.upper()[:12] + "-LT",
            "operatingSystem": "Windows10", "browser": "", "isCompliant": True, "isManaged": True,
            "trustType": "Azure AD joined"}


class Session:
    """One client's use of one mailbox on one day (by the owner, or an actor reusing its identity)."""
    __slots__ = ("code", "mbx", "day", "start", "end", "net", "ip", "sid", "xsid", "life", "n", "tag", "client",
                 "info")

    def __init__(self, ctx, code, mbx, day, start, end, net, ip, rng, tag="b"):
        self.code, self.mbx, self.day, self.start, self.end = code, mbx, day, start, end
        self.net, self.ip, self.tag = net, ip, tag
        self.client = CLIENTS[code]
        self.info = self.client.info
        if code == "owa" and mbx.idx % 2:
            self.info = "Client=OWA;%s;" % BROWSER_UA[mbx.browser]
        seed = ctx.seed
        self.sid = guid_of(seed, "aadsess", tag, mbx.idx, day, code)
        self.xsid = guid_of(seed, "exsess", tag, mbx.idx, day, code)
        lo, hi = self.client.life
        self.life = rng.randint(lo, hi)
        self.n = max(1, int((end - start) // self.life) + 1)

    def token(self, seed, ts):
        k = min(self.n - 1, max(0, int((ts - self.start) // self.life)))
        return uti_of(seed, "tok", self.tag, self.mbx.idx, self.day, self.code, k), self.start + k * self.life

    def aac(self, seed, ts):
        if self.client.aac_app is None:
            return {}
        uti, iat = self.token(seed, ts)
        return R.app_access_context(self.client.aac_app, iat, uti, self.sid, self.client.resource)


def emit_signins(em, ctx, s, interactive_first, label=BENIGN, failed_first=False, request_type="OAuth2:Token"):
    """One sign-in per token of session s (EH record; interactive ones also as UAL UserLoggedIn)."""
    cl = s.client
    if cl.signin_app is None:
        return
    t, seed, mbx = ctx.tenant, ctx.seed, s.mbx
    ua = user_agent(s.code, mbx)
    dev = device(s.code, mbx)
    for k in range(s.n):
        ts = s.start + k * s.life - 2.5
        if ts >= s.end and k:
            break
        interactive = interactive_first and k == 0
        rid = guid_of(seed, "signin", s.tag, mbx.idx, s.day, s.code, k)
        corr = guid_of(seed, "corr", s.tag, mbx.idx, s.day, s.code, k)
        uti = uti_of(seed, "tok", s.tag, mbx.idx, s.day, s.code, k)
        if interactive and failed_first:
            fts = ts - 40
            frid, fcorr = guid_of(seed, "fail", rid), guid_of(seed, "failc", rid)
            em.eh(fts, R.eh_signin(t, fts, "SignInLogs", frid, fcorr, s.net, s.ip, cl.signin_app, cl.signin_name,
                                   APP_EXO, ua, "", uti_of(seed, "failtok", rid), "none", cl.used, user=mbx,
                                   error=50126, device=dev), label)
            em.ual(fts, R.user_logged_in(t, fts, em.new_id(), mbx.upn, mbx.oid, cl.signin_app, APP_EXO, s.ip, ua,
                                         "Login:login", "", "Windows 10", mbx.browser, frid, fcorr, failed=True),
                   label)
        cat = "SignInLogs" if interactive else "NonInteractiveUserSignInLogs"
        em.eh(ts, R.eh_signin(t, ts, cat, rid, corr, s.net, s.ip, cl.signin_app, cl.signin_name, cl.resource, ua,
                              s.sid, uti, "none", cl.used, user=mbx, device=dev,
                              token_type="none" if interactive else "primaryRefreshToken"), label)
        if interactive:
            ip = s.ip
            if em.rng.random() < 0.15 and ":" not in ip:
                ip = "%s:%d" % (ip, 1024 + int(em.rng.random() * 60000))
            em.ual(ts, R.user_logged_in(t, ts, em.new_id(), mbx.upn, mbx.oid, cl.signin_app, cl.resource, ip, ua,
                                        request_type if s.code != "owa" else "OAuth2:Authorize", s.sid,
                                        "Windows 10" if s.code not in ("ios", "android") else s.code.upper(),
                                        mbx.browser if s.code == "owa" else "Rich Client", rid, corr), label)


def edge_for(mbx, folders):
    if mbx.localized:
        for f in folders:
            if not f["Path"].isascii():
                return "nonascii_folder"
    return None


def read(em, ctx, s, ts, folders, count, access="Bind", label=BENIGN, target=None, actor=None, logon=0,
         throttled="False", aac=None, ip=None, info=None):
    """A MailItemsAccessed record for session s (owner access unless target/actor/logon say otherwise)."""
    mbx = target or s.mbx
    who = actor or s.mbx
    cl = s.client
    if aac is None:
        aac = s.aac(ctx.seed, ts) if (target is None and actor is None) else {}
    rec = R.mail_items_accessed(ctx.tenant, ts, em.new_id(), mbx, who.upn, who.puid, 0, logon, info or s.info,
                                ip or s.ip, cl.app_id, cl.client_app_id, s.xsid, access, folders, count, aac,
                                throttled, logon_sid=who.sid, desktop=DESKTOP_VERSION if s.code == "desk" else None,
                                token_oid=who.oid if cl.client_app_id else None)
    return em.ual(ts, rec, label, mbx=mbx.idx, edge=edge_for(mbx, folders))


def bind(em, ctx, s, ts, rng, n_items, fi=None, label=BENIGN, target=None, actor=None, logon=0, progress=1.0):
    mbx = target or s.mbx
    if fi is None:
        fi = mailstore.pick_folder(rng)
    ks = mailstore.recent_indices(rng, mbx, s.day, fi, n_items, progress)
    folders = [mailstore.folder_items(ctx.seed, mbx, fi, ks)]
    return read(em, ctx, s, ts, folders, n_items, "Bind", label, target, actor, logon)


def sync(em, ctx, s, ts, fi, label=BENIGN, target=None, actor=None, logon=0):
    mbx = target or s.mbx
    return read(em, ctx, s, ts, [mailstore.folder(ctx.seed, mbx, fi)], 1, "Sync", label, target, actor, logon)


def send_item(em, ctx, s, ts, rng, label=BENIGN):
    mbx = s.mbx
    k = mailstore.newest(mbx, s.day, mailstore.SENT)[0] + rng.randrange(1000)
    msg = mailstore.message(ctx.seed, mbx, mailstore.SENT, k)
    item = {"Id": "RgAAAA" + guid(rng).replace("-", "").upper() + "AAAJ",
            "InternetMessageId": msg["InternetMessageId"],
            "ParentFolder": mailstore.folder(ctx.seed, mbx, mailstore.SENT),
            "SizeInBytes": msg["SizeInBytes"],
            "Subject": SUBJECTS[rng.randrange(len(SUBJECTS))]}
    cl = s.client
    rec = R.send(ctx.tenant, ts, em.new_id(), mbx, mbx.upn, mbx.puid, s.info, s.ip, cl.app_id, s.xsid, item)
    return em.ual(ts, rec, label, mbx=mbx.idx, edge=edge_for(mbx, [item["ParentFolder"]]))


def delete_items(em, ctx, s, ts, rng, label=BENIGN):
    mbx = s.mbx
    src = mailstore.folder(ctx.seed, mbx, mailstore.INBOX)
    ks = mailstore.recent_indices(rng, mbx, s.day, mailstore.INBOX, rng.randint(1, 4))
    affected = []
    for k in ks:
        msg = mailstore.message(ctx.seed, mbx, mailstore.INBOX, k)
        affected.append({"Id": "RgAAAA" + guid(rng).replace("-", "").upper() + "AAAJ",
                         "InternetMessageId": msg["InternetMessageId"], "ParentFolder": src,
                         "Subject": SUBJECTS[rng.randrange(len(SUBJECTS))]})
    cl = s.client
    dest = mailstore.folder(ctx.seed, mbx, mailstore.DELETED)
    rec = R.move_to_deleted(ctx.tenant, ts, em.new_id(), mbx, mbx.upn, mbx.puid, s.info, s.ip, cl.app_id, s.xsid,
                            src, affected, dest)
    return em.ual(ts, rec, label, mbx=mbx.idx, edge=edge_for(mbx, [src, dest]))


def search(em, ctx, s, ts, query, label=BENIGN, ip=None):
    mbx = s.mbx
    cl = s.client
    rec = R.search_query(ctx.tenant, ts, em.new_id(), mbx, mbx.upn, mbx.puid, s.info, ip or s.ip,
                         cl.app_id, s.xsid, query, cl.source or "Outlook", s.aac(ctx.seed, ts))
    return em.ual(ts, rec, label, mbx=mbx.idx)


def login(em, ctx, s, ts, label=BENIGN):
    mbx = s.mbx
    cl = s.client
    rec = R.mailbox_login(ctx.tenant, ts, em.new_id(), mbx, mbx.upn, mbx.puid, s.info, s.ip, cl.app_id, s.xsid)
    return em.ual(ts, rec, label, mbx=mbx.idx)


SUBJECTS = ("Re: Q4 planning", "Weekly status", "Invoice 4471 attached", "Lunch?", "Re: contract redlines",
            "Agenda for Thursday", "FW: customer escalation", "Expense report", "Re: hiring panel",
            "Offsite logistics", "Updated forecast", "Re: vendor onboarding", "Board deck draft", "Quick question",
            "Re: travel approval", "Minutes", "Re: renewal pricing", "Security training reminder")
