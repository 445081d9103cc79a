"""Benign traffic with daily and weekly rhythm.

Per mailbox and day: Outlook desktop (MAPI, Sync + Bind), new Outlook (REST), OWA, Outlook mobile,
a few IMAP users, sends/deletes/searches, delegates on shared and executive mailboxes, travellers,
night owls, an approved backup app reading every mailbox nightly (app-only Graph), an approved
CRM add-in (delegated Graph) and a ticketing integration polling the support mailbox with
python-requests. Per tenant and day: service-principal sign-ins, admin and system cmdlets,
eDiscovery searches, users' inbox rules and consents to approved apps.
"""

from common import guid_of, mix, poisson, rng_for, uti_of, weekday_of
import mailstore
import networks
import records as R
import sessions as S
from outputs import BENIGN
from tenant import APP_COMPLIANCE, APP_GRAPH, APP_OWA, SITES, SITE_VPN

TRAVEL_TZ = {"travel_jp": 9, "travel_es": 1, "travel_sg": 8, "travel_ca": -5}
SEARCH_TERMS = ("budget", "meeting notes", "invoice", "offsite", "q4 forecast", "contract", "travel itinerary",
                "expense report", "from:hr", "renewal", "board deck", "password reset", "payroll", "onboarding",
                "wire transfer", "hasattachments:yes quote", "customer feedback", "roadmap")
BACKUP_START, BACKUP_SPAN = 1800, 16200


def register_tenant_clients(t):
    S.CLIENTS["crm"] = S.Client("crm", "Client=REST;Client=RESTSystem;;", APP_GRAPH, t.crm.app_id, t.crm.app_id,
                                t.crm.name, "Mobile Apps and Desktop clients", (3 * 3600, 3 * 3600), "",
                                t.crm.app_id, APP_GRAPH, t.crm.user_agent)


class Plan:
    __slots__ = ("active", "weekend", "net", "ip", "tz", "ws", "we", "travelling", "transit", "day_start")


def day_plan(ctx, mbx, day):
    """Where and when a person works on `day` (deterministic; reused for delegate access)."""
    seed = ctx.seed
    rng = rng_for(seed, "plan", mbx.idx, day)
    p = Plan()
    p.day_start = ds = ctx.tenant.start_epoch + day * 86400
    wd = weekday_of(ds)
    p.weekend = wd >= 5
    p.tz = mbx.tz
    p.travelling = p.transit = False
    net = None
    if mbx.travel:
        tstart, tdays, tnet = mbx.travel
        if day == tstart:
            p.transit = True
        elif tstart < day <= tstart + tdays:
            p.travelling = True
            net = tnet
            p.tz = TRAVEL_TZ[tnet]
    p.active = not p.transit and (p.travelling or rng.random() < (
        0.96 if not p.weekend else (0.5 if mbx.night_owl else 0.12)))
    office = SITES[mbx.site][2]
    if net is None:
        if p.weekend or wd in mbx.remote_days or office is None:
            net = SITE_VPN[mbx.site] if rng.random() < 0.3 else mbx.home_net
        else:
            net = office
    role = networks.info(net)[8]
    if role == "office":
        p.ip = networks.ip_in(net, seed, "nat", mbx.idx % 6)
    elif role == "vpn":
        p.ip = networks.ip_in(net, seed, "vpn", day, mbx.idx % 24)
    elif role == "home":
        p.ip = networks.ip_in(net, seed, "home", mbx.idx)
    else:
        p.ip = networks.ip_in(net, seed, "travel", mbx.idx, day)
    p.net = net
    if p.weekend and not p.travelling:
        start = rng.randint(10 * 60, 16 * 60)
        length = rng.randint(20, 150)
    else:
        start = mbx.start_min + rng.randint(-25, 25)
        length = mbx.end_min - mbx.start_min + rng.randint(-30, 40)
    p.ws = ds + (start - p.tz * 60) * 60 + rng.randint(0, 59)
    if p.ws < ds:  # far-east travel: keep a day's activity inside its own UTC day
        p.ws = ds + rng.randint(60, 3600)
    p.we = p.ws + length * 60
    return p


def spread(rng, n, a, b):
    return sorted(rng.uniform(a, b) for _ in range(n))


def mobile_ip(ctx, mbx, p, rng):
    if p.travelling:
        return p.net, p.ip
    if rng.random() < 0.45:
        return p.net, p.ip
    return mbx.mobile_net, networks.ip_in(mbx.mobile_net, ctx.seed, "cgnat", mbx.idx, p.day_start, rng.randrange(3))


# --- per mailbox ---------------------------------------------------------------------------------

def mailbox_day(ctx, em, mbx, day, scale):
    rng = rng_for(ctx.seed, "day", mbx.idx, day)
    if mbx.role == "shared":
        shared_day(ctx, em, mbx, day, rng, scale)
    else:
        override = ctx.label_override.get(mbx.idx)
        if override and day in override[0]:
            em.benign_label = override[1]
        user_day(ctx, em, mbx, day, rng, scale)
        em.benign_label = BENIGN
        if mbx.role == "exec" and mbx.delegates:
            delegate_reads(ctx, em, mbx, mbx.delegates[0], day, rng, 5 * scale)
        if mbx.crm:
            crm_day(ctx, em, mbx, day, rng)
    backup_night(ctx, em, mbx, day, rng)
    if mbx.idx == ctx.tenant.support:
        ticketing_day(ctx, em, mbx, day, rng)


def user_day(ctx, em, mbx, day, rng, scale):
    p = day_plan(ctx, mbx, day)
    seed = ctx.seed
    primary = None
    if p.active:
        sess = []
        if mbx.desktop:
            sess.append(S.Session(ctx, "desk" if mbx.desktop == "classic" else "new", mbx, day, p.ws, p.we, p.net,
                                  p.ip, rng))
        if mbx.owa and (not sess or rng.random() < 0.3):
            if sess:
                a = rng.uniform(p.ws, max(p.ws + 1, p.we - 3600))
                b = min(p.we, a + rng.randint(1800, 4 * 3600))
            else:
                a, b = p.ws, p.we
            sess.append(S.Session(ctx, "owa", mbx, day, a, b, p.net, p.ip, rng))
        wk = 0.35 if p.weekend else 1.0
        for s in sess:
            S.emit_signins(em, ctx, s, s.code == "owa" or rng.random() < 0.2, failed_first=rng.random() < 0.02)
            if s.code == "desk":
                S.login(em, ctx, s, s.start + rng.uniform(2, 20))
                n_sync = rng.randint(2, 5) if weekday_of(p.day_start) else rng.randint(4, 9)
                t0 = s.start + rng.uniform(5, 60)
                for fi in rng.sample(range(mailstore.folder_count(mbx)), n_sync):
                    S.sync(em, ctx, s, t0, fi)
                    t0 += rng.uniform(0.5, 8)
                for ts in spread(rng, poisson(rng, 0.8 * scale), s.start + 3600, s.end):
                    S.sync(em, ctx, s, ts, mailstore.pick_folder(rng))
            lam = {"desk": 9, "new": 9, "owa": 6}[s.code] * wk * scale
            span = max(1.0, s.end - s.start)
            for ts in spread(rng, poisson(rng, lam), s.start + 60, s.end):
                S.bind(em, ctx, s, ts, rng, min(6, 1 + poisson(rng, 0.9)), progress=(ts - s.start) / span)
        primary = sess[0] if sess else None
        if primary is not None:
            for ts in spread(rng, poisson(rng, 3.0 * wk * scale), primary.start + 300, primary.end):
                S.send_item(em, ctx, primary, ts, rng)
            for ts in spread(rng, poisson(rng, 2.0 * wk * scale), primary.start + 300, primary.end):
                S.delete_items(em, ctx, primary, ts, rng)
            if mbx.search_audit:
                for ts in spread(rng, poisson(rng, 1.0 * wk * scale), primary.start + 300, primary.end):
                    S.search(em, ctx, primary, ts, SEARCH_TERMS[rng.randrange(len(SEARCH_TERMS))])
    if mbx.mobile and not p.transit:
        n = poisson(rng, (6.0 if p.active and not p.weekend else 2.5) * scale)
        if n:
            a = max(p.day_start + 60, p.day_start + (7 * 60 - p.tz * 60) * 60) + rng.randint(0, 3600)
            b = a + 15 * 3600
            net, ip = mobile_ip(ctx, mbx, p, rng)
            s = S.Session(ctx, mbx.mobile, mbx, day, a, b, net, ip, rng)
            S.emit_signins(em, ctx, s, False)
            for ts in spread(rng, n, a + 60, b):
                S.bind(em, ctx, s, ts, rng, 1 + poisson(rng, 0.5), fi=mailstore.INBOX, progress=(ts - a) / (b - a))
    if mbx.imap and not p.transit:
        a = p.day_start + rng.uniform(0, 1800)
        s = S.Session(ctx, "imap", mbx, day, a, p.day_start + 86400, mbx.home_net,
                      networks.ip_in(mbx.home_net, seed, "home", mbx.idx), rng)
        ts = a
        while ts < s.end:
            if rng.random() < 0.6:
                S.bind(em, ctx, s, ts, rng, 1 + poisson(rng, 1.0), fi=mailstore.INBOX,
                       progress=(ts - p.day_start) / 86400)
            ts += rng.uniform(2700, 7200)
    if mbx.night_owl and rng.random() < 0.5 and not p.transit:
        a = p.day_start + ((22 * 60 + 30 - p.tz * 60) * 60) + rng.randint(0, 1800)
        net = p.net if p.travelling else mbx.home_net
        ip = p.ip if p.travelling else networks.ip_in(net, seed, "home", mbx.idx)
        code = "owa" if not mbx.desktop else ("desk" if mbx.desktop == "classic" else "new")
        s = S.Session(ctx, code, mbx, day, a, a + rng.randint(1800, 7200), net, ip, rng, tag="night")
        S.emit_signins(em, ctx, s, code == "owa")
        for ts in spread(rng, poisson(rng, 4 * scale) + 1, a + 30, s.end):
            S.bind(em, ctx, s, ts, rng, 1 + poisson(rng, 1.0))
    return primary


def delegate_session(ctx, dmbx, day, rng):
    dp = day_plan(ctx, dmbx, day)
    if not dp.active:
        return None
    code = "desk" if dmbx.desktop == "classic" else ("new" if dmbx.desktop == "new" else "owa")
    return S.Session(ctx, code, dmbx, day, dp.ws, dp.we, dp.net, dp.ip, rng)


def delegate_reads(ctx, em, target, delegate_idx, day, rng, lam):
    """A delegate (assistant, shared-mailbox member) reading another mailbox: LogonType 2."""
    dmbx = ctx.tenant.mailboxes[delegate_idx]
    s = delegate_session(ctx, dmbx, day, rng)
    if s is None:
        return
    span = max(1.0, s.end - s.start)
    for ts in spread(rng, poisson(rng, lam), s.start + 120, s.end):
        S.bind(em, ctx, s, ts, rng, 1 + poisson(rng, 1.2), target=target, actor=dmbx, logon=2,
               progress=(ts - s.start) / span)


def shared_day(ctx, em, mbx, day, rng, scale):
    weekend = weekday_of(ctx.tenant.start_epoch + day * 86400) >= 5
    for d in mbx.delegates:
        delegate_reads(ctx, em, mbx, d, day, rng, (1.0 if weekend else 4.0) * scale)


# --- approved applications ----------------------------------------------------------------------

def session_key(rng):
    return "C_Sid" if rng.random() < 0.7 else "c_Sid"


def backup_night(ctx, em, mbx, day, rng):
    t, seed = ctx.tenant, ctx.seed
    app = t.backup
    ds = t.start_epoch + day * 86400
    ts = ds + BACKUP_START + BACKUP_SPAN * mbx.idx / len(t.mailboxes) + rng.uniform(0, 40)
    hour = int((ts - ds) // 3600)
    uti = uti_of(seed, "backup-tok", day, hour)
    iat = ds + hour * 3600 + 5
    ip = networks.ip_in(app.net, seed, "backup", hour % 4)
    aac = R.app_access_context(app.app_id, iat, uti)
    actor = "Client=REST;Client=RESTSystem;UserAgent=[NoUserAgent][AppId=%s];" % app.app_id
    xsid = guid_of(seed, "backup-sess", day, hour)
    for fi, share in ((mailstore.INBOX, 1.0), (mailstore.SENT, 0.3)):
        top, rate = mailstore.newest(mbx, day - 1, fi)
        count = max(1, int(rate * share * (0.5 + rng.random())))
        ks = range(top - count, top)
        folder = mailstore.folder(seed, mbx, fi)
        folder["FolderItems"] = mailstore.items(seed, mbx, fi, list(ks)[:12])
        rec = R.mail_items_accessed(t, ts, em.new_id(), mbx, mbx.upn, app.app_id, 5, 0,
                                    "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app.app_id, xsid, "Bind",
                                    [folder], count, aac, actor_info=actor)
        em.ual(ts, rec, BENIGN, mbx=mbx.idx, edge=S.edge_for(mbx, [folder]))
        uri = ("https://graph.microsoft.com/v1.0/users/%s/mailFolders/%s/messages/delta?$deltatoken=%s"
               % (mbx.oid, "inbox" if fi == mailstore.INBOX else "sentitems", uti_of(seed, "delta", mbx.idx, day, fi)))
        if fi == mailstore.INBOX:
            em.eh(ts - 1, R.graph_activity(t, ts - 1, em.new_id(), ip, app.app_id, "GET", uri, app.user_agent, uti,
                                           iat, session_key(rng), None, "", app.sp_id, "Mail.Read", "", "app", "2",
                                           2000 + count * 4100, rng.randint(80, 900)))
        ts += rng.uniform(1, 20)


def crm_day(ctx, em, mbx, day, rng):
    p = day_plan(ctx, mbx, day)
    if not p.active or p.weekend:
        return
    t, seed = ctx.tenant, ctx.seed
    app = t.crm
    net = app.net
    ip = networks.ip_in(net, seed, "crm", mbx.idx % 5)
    s = S.Session(ctx, "crm", mbx, day, p.ws, p.we, net, ip, rng)
    S.emit_signins(em, ctx, s, False)
    ts = p.ws + rng.uniform(60, 1800)
    key = session_key(rng)
    while ts < p.we:
        uti, iat = s.token(seed, ts)
        since = R.ual_time(ts - 3600) + "Z"
        uri = ("https://graph.microsoft.com/v1.0/users/%s/messages?$filter=receivedDateTime%%20ge%%20%s"
               "&$top=50&$select=subject,from,toRecipients,receivedDateTime,conversationId" % (mbx.oid, since))
        em.eh(ts, R.graph_activity(t, ts, em.new_id(), ip, app.app_id, "GET", uri, app.user_agent, uti, iat, key,
                                   s.sid, mbx.oid, "", "", "Mail.Read User.Read offline_access", "user", "1",
                                   rng.randint(900, 60000), rng.randint(60, 700)))
        if rng.random() < 0.6:
            S.bind(em, ctx, s, ts + 1, rng, 1 + poisson(rng, 2.0), fi=mailstore.INBOX,
                   progress=(ts - p.ws) / max(1, p.we - p.ws))
        ts += rng.uniform(1800, 3600)


def ticketing_day(ctx, em, mbx, day, rng):
    """Helpdesk connector polls the support mailbox every ~10 minutes with python-requests (app-only)."""
    t, seed = ctx.tenant, ctx.seed
    app = t.ticketing
    ds = t.start_epoch + day * 86400
    ts = ds + rng.uniform(10, 300)
    key = session_key(rng)
    xsid = guid_of(seed, "tkt-sess", day)
    actor = "Client=REST;Client=RESTSystem;UserAgent=[NoUserAgent][AppId=%s];" % app.app_id
    weekend = weekday_of(ds) >= 5
    while ts < ds + 86400:
        hour = int((ts - ds) // 3600)
        uti = uti_of(seed, "tkt-tok", day, hour)
        iat = ds + hour * 3600 + 3
        if ts < iat:
            ts = iat + 1
        ip = networks.ip_in(app.net, seed, "tkt", hour % 3)
        uri = ("https://graph.microsoft.com/v1.0/users/%s/mailFolders/inbox/messages?$filter=isRead%%20eq%%20false"
               "&$top=25" % mbx.upn)
        em.eh(ts, R.graph_activity(t, ts, em.new_id(), ip, app.app_id, "GET", uri, app.user_agent, uti, iat, key,
                                   None, "", app.sp_id, "Mail.ReadWrite", "", "app", "1", rng.randint(300, 4000),
                                   rng.randint(40, 400)))
        local = (ts - ds) / 3600.0 + mbx.tz
        if rng.random() < (0.08 if weekend or not 8 <= local % 24 <= 18 else 0.4):
            n = 1 + poisson(rng, 0.4)
            top, rate = mailstore.newest(mbx, day, mailstore.INBOX)
            k0 = top - rate + int(rate * (ts - ds) / 86400)
            folder = mailstore.folder_items(seed, mbx, mailstore.INBOX, range(k0, k0 + n))
            rec = R.mail_items_accessed(t, ts + 1, em.new_id(), mbx, mbx.upn, app.app_id, 5, 0,
                                        "Client=REST;Client=RESTSystem;;", ip, APP_GRAPH, app.app_id, xsid, "Bind",
                                        [folder], n, R.app_access_context(app.app_id, iat, uti), actor_info=actor)
            em.ual(ts + 1, rec, BENIGN, mbx=mbx.idx)
            uri2 = "https://graph.microsoft.com/v1.0/users/%s/messages/%s" % (mbx.upn, uti_of(seed, "m", day, int(ts)))
            em.eh(ts + 2, R.graph_activity(t, ts + 2, em.new_id(), ip, app.app_id, "PATCH", uri2, app.user_agent,
                                           uti, iat, key, None, "", app.sp_id, "Mail.ReadWrite", "", "app", "1",
                                           rng.randint(2000, 9000), rng.randint(40, 300)))
        ts += rng.uniform(540, 660)


# --- tenant level ----------------------------------------------------------------------------------

def sp_signin(ctx, em, ts, app, ip, net, uti, resource=APP_GRAPH, credential="certificate", label=BENIGN):
    t = ctx.tenant
    rid = guid_of(ctx.seed, "spsignin", app.app_id, uti)
    rec = R.eh_signin(t, ts, "ServicePrincipalSignInLogs", rid, guid_of(ctx.seed, "spcorr", rid), net, ip,
                      app.app_id, app.name, resource, app.user_agent or "", "", uti, "none", "",
                      sp=app, credential=credential, token_type="none")
    em.eh(ts, rec, label)


def admin_ip(ctx, rng):
    return networks.ip_in("office_sea", ctx.seed, "nat", rng.randrange(6)) if rng.random() < 0.6 else \
        networks.ip_in("vpn_us", ctx.seed, "vpn", rng.randrange(1000))


def tenant_day(ctx, em, day, scale):
    t, seed = ctx.tenant, ctx.seed
    rng = rng_for(seed, "tenant-day", day)
    ds = t.start_epoch + day * 86400
    weekend = weekday_of(ds) >= 5
    for hour in range(0, 5):
        sp_signin(ctx, em, ds + hour * 3600 + 5, t.backup, networks.ip_in(t.backup.net, seed, "backup", hour % 4),
                  t.backup.net, uti_of(seed, "backup-tok", day, hour))
    for hour in range(24):
        sp_signin(ctx, em, ds + hour * 3600 + 3, t.ticketing, networks.ip_in(t.ticketing.net, seed, "tkt", hour % 3),
                  t.ticketing.net, uti_of(seed, "tkt-tok", day, hour), credential="clientSecret")
    users = t.users
    mbxs = t.mailboxes
    admin = t.exchange_admin
    # Exchange admin housekeeping (benign look-alikes: FullAccess for shared-mailbox members, audit config)
    for ts in spread(rng, poisson(rng, 0.3 if weekend else 3.0), ds + 15 * 3600, ds + 24 * 3600):
        kind = rng.randrange(6)
        sess = guid_of(seed, "admsess", day, int(ts))
        ip = admin_ip(ctx, rng)
        if kind == 0 and t.shared:
            shared = mbxs[rng.choice(t.shared)]
            user = mbxs[rng.choice(users)]
            op, params, target = "Add-MailboxPermission", [("Identity", shared.alias), ("User", user.upn),
                                                          ("AccessRights", "FullAccess"), ("InheritanceType", "All"),
                                                          ("AutoMapping", "True")], shared.alias
        elif kind == 1:
            m = mbxs[rng.choice(users)]
            op, params, target = "Set-Mailbox", [("Identity", m.upn),
                                                 ("AuditOwner", '@{Add="SearchQueryInitiated"}')], m.alias
        elif kind == 2:
            m = mbxs[rng.choice(users)]
            d = mbxs[rng.choice(users)]
            op, params, target = "Set-Mailbox", [("Identity", m.upn), ("GrantSendOnBehalfTo", d.upn)], m.alias
        elif kind == 3:
            m = mbxs[rng.choice(users)]
            op, params, target = "Set-Mailbox", [("Identity", m.upn), ("ProhibitSendQuota", "49 GB"),
                                                 ("ProhibitSendReceiveQuota", "50 GB")], m.alias
        elif kind == 4 and t.execs:
            e = mbxs[rng.choice(t.execs)]
            a = mbxs[e.delegates[0]] if e.delegates else mbxs[rng.choice(users)]
            op, params, target = "Add-MailboxFolderPermission", [("Identity", e.alias + ":\\Calendar"),
                                                                 ("User", a.upn), ("AccessRights", "Editor")], e.alias
        else:
            m = mbxs[rng.choice(users)]
            op, params, target = "Set-CASMailbox", [("Identity", m.upn), ("ImapEnabled", "False"),
                                                    ("PopEnabled", "False")], m.alias
        em.ual(ts, R.cmdlet(t, ts, em.new_id(), op, admin.upn, admin.puid, params, R.mailbox_object_id(t, target),
                            ip, sess))
    # system housekeeping records (UserType 3, NT AUTHORITY\SYSTEM)
    for ts in spread(rng, poisson(rng, 4.0), ds, ds + 86400):
        m = mbxs[rng.randrange(len(mbxs))]
        op, params = (("Set-Mailbox", [("Identity", m.guid), ("RetentionPolicy", "Default MRM Policy")])
                      if rng.random() < 0.5 else
                      ("Set-MailboxJunkEmailConfiguration", [("Identity", m.guid), ("Enabled", "True")]))
        em.ual(ts, R.cmdlet(t, ts, em.new_id(), op, R.SYSTEM_ACTOR, "S-1-5-18", params,
                            R.mailbox_object_id(t, m.alias), "", guid_of(seed, "syssess", day), user_type=3,
                            app_id=""))
    # eDiscovery by the compliance officer (keyword look-alikes)
    if not weekend and rng.random() < 0.35:
        ca = t.compliance_admin
        ts = ds + rng.uniform(15 * 3600, 22 * 3600)
        name = "HR-%04d review" % (mix(seed, "case", day) % 10000)
        query = rng.choice(('"wire transfer" AND sent>=2026-10-01', 'subject:invoice AND from:vendor',
                            'password OR credentials', '"termination" AND participants:hr@' + t.domain))
        loc = "All" if rng.random() < 0.3 else ",".join(mbxs[i].upn for i in rng.sample(users, min(3, len(users))))
        sess = guid_of(seed, "ediscovery", day)
        ip = admin_ip(ctx, rng)
        for i, (op, params) in enumerate((("New-ComplianceSearch", [("Name", name), ("ExchangeLocation", loc),
                                                                      ("ContentMatchQuery", query)]),
                                           ("Start-ComplianceSearch", [("Identity", name)]))):
            em.ual(ts + i * 40, R.cmdlet(t, ts + i * 40, em.new_id(), op, ca.upn, ca.puid, params, name, ip, sess,
                                         app_id=APP_COMPLIANCE, record_type=18, workload="SecurityComplianceCenter"))
    # users creating ordinary inbox rules
    for ts in spread(rng, poisson(rng, len(users) / (300.0 if not weekend else 2000.0) * scale), ds + 8 * 3600,
                     ds + 24 * 3600):
        m = mbxs[rng.choice(users)]
        p = day_plan(ctx, m, day)
        name = rng.choice(("Newsletters", "Jira notifications", "From manager", "Receipts"))
        params = [("Name", name), ("From", rng.choice(("news@contoso-updates.example", "jira@" + t.domain,
                                                       "receipts@fabrikam.example"))),
                  ("MoveToFolder", name), ("StopProcessingRules", "False")]
        op = "New-InboxRule" if rng.random() < 0.7 else "Set-InboxRule"
        if op == "Set-InboxRule":
            params = [("Identity", name), ("Enabled", "True"), ("MarkAsRead", "True")]
        em.ual(ts, R.cmdlet(t, ts, em.new_id(), op, m.upn, m.puid, params,
                            R.mailbox_object_id(t, m.alias) + "\\" + name, p.ip, guid_of(seed, "rule", m.idx, day),
                            user_type=0, app_id=APP_OWA))
    # consent to approved apps (delegated, some with Mail.Read: look-alikes)
    for ts in spread(rng, poisson(rng, max(0.3, len(users) / 400.0) * (0.2 if weekend else 1.0)), ds + 7 * 3600,
                     ds + 23 * 3600):
        m = mbxs[rng.choice(users)]
        app = rng.choice(t.benign_consent_apps)
        scopes = ("User.Read openid profile offline_access Calendars.ReadWrite" if "Zoom" in app.name else
                  "Mail.Read User.Read openid profile offline_access")
        user_consent(ctx, em, ts, m, app, scopes, day_plan(ctx, m, day).ip, BENIGN)


def user_consent(ctx, em, ts, actor, app, scopes, ip, label, ua=None, admin=False, all_principals=False):
    t, seed = ctx.tenant, ctx.seed
    corr = guid_of(seed, "consent", app.app_id, actor.upn, int(ts))
    grant = guid_of(seed, "grant", app.app_id, actor.upn, int(ts)).replace("-", "")[:27]
    ua = ua or S.BROWSER_UA["Edge"]
    em.ual(ts, R.consent(t, ts, em.new_id(), actor, app, scopes, admin, False, all_principals, ua, ip, corr, grant,
                         t.graph_sp), label)
    em.ual(ts + 1, R.delegated_grant(t, ts + 1, em.new_id(), actor, app, scopes, all_principals, ua, corr,
                                     t.graph_sp), label)
    return corr

