"""Benign SharePoint, OneDrive and Microsoft Teams traffic: the non-mail majority of a unified audit log.

In real tenants SharePoint, OneDrive and Teams records outnumber Exchange mailbox records; the mix
here makes them a chosen share of all records (--other-workloads, default 0.6). Per day, once the
mail, Entra and Graph records of that day exist (their count B is known), the people (users and
executives; shared mailboxes have nobody behind them) share a budget of B * share / (1 - share)
records in proportion to a personal activity level and the day's plan from benign.day_plan (a
working day counts fully, a weekend session a third, a day off or in transit only a little
phone use). Each person's records come from activities at the person's own rhythm, address and
devices (the office, home, VPN or travel address of the day, the phone's carrier address):

* SharePoint (team sites and the intranet): FileAccessed then often FileModified,
  FileAccessedExtended, FilePreviewed bursts, PageViewed / PageViewedExtended, FileDownloaded,
  FileUploaded, FolderCreated, SharingSet;
* OneDrive (https://<tenant>-my.sharepoint.com/personal/<alias>_<domain>/): the sync client's
  FileSyncUploadedFull / FileSyncDownloadedFull, FileAccessed / FileModified / FilePreviewed /
  FileUploaded on the person's own files, FileAccessed on a colleague's shared file;
* Microsoft Teams: TeamsSessionStarted per client and day, MessageCreatedHasLink (and
  MessageEditedHasLink), MeetingParticipantDetail (UserId is the organizer, ClientIP the
  attendee's), MemberAdded, ChannelAdded.

Randomness: everything here draws from its own streams (rng_for(seed, "ow", ...)) and the records
go through their own Emitters (chunk ids from CHUNK_BASE), so the other records, their ids, quirks,
delivery times and order are the same whatever --other-workloads is.
"""

import bisect

from benign import day_plan, mobile_ip
from common import guid, guid_of, mix, poisson, rng_for, ual_time
import networks
import records as R
import sessions as S
from outputs import BENIGN
from tenant import APP_OUTLOOK_DESKTOP, APP_TEAMS

CHUNK_BASE = 900000  # Emitter chunk ids of this traffic (the mail traffic uses 0 .. 2 + mailboxes / 500)
MAX_SITES = 4000

APP_OFFICE = (APP_OUTLOOK_DESKTOP, "Microsoft Office")
APP_TEAMS_CLIENT = (APP_TEAMS, "Microsoft Teams")
APP_SYNC = ("ab9b8c07-8f02-4f72-87fa-80105867a763", "OneDrive SyncEngine")

OFFICE_UA = "Microsoft Office %s 2014 (16.0.17928.20148) Windows NT 10.0"
OFFICE_APPS = {"docx": "Word", "xlsx": "Excel", "pptx": "PowerPoint"}
TEAMS_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 "
            "Safari/537.36 Edg/130.0.0.0 Teams/24295.605.3225.8804/49")
SYNC_UA = "Microsoft SkyDriveSync 24.201.1006.0005 ship; Windows NT 10.0 (22631)"
MOBILE_UA = {
    "ios": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
           "Mobile/15E148 Teams/6.22.1",
    "android": "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/130.0.0.0 Mobile Safari/537.36 Teams/1416/1.0.0.2024",
}
SESSION_OS = {"windows": "Windows (10.0.22631)", "mac": "Mac OS X (10.15.7)", "ios": "iOS (18.1)",
              "android": "Android (14)"}

DEPTS = ("Finance", "Human Resources", "Sales", "Marketing", "Engineering", "Legal", "IT", "Operations",
         "Procurement", "Customer Success", "Facilities", "Research")
PROJECTS = ("Atlas", "Orion", "Phoenix", "Northwind", "Meridian", "Aurora", "Cobalt", "Falcon", "Helix",
            "Juniper", "Keystone", "Lighthouse", "Mosaic", "Nimbus", "Pioneer", "Quartz", "Summit", "Tidewater",
            "Vanguard", "Zephyr")
CHANNELS = ("Planning", "Announcements", "Reports", "Design", "Budget", "Hiring", "Customers", "Releases",
            "Social", "Vendors")
STEMS = ("Budget", "Forecast", "Board Deck", "Offsite Plan", "Meeting Notes", "Project Plan", "Status Report",
         "Roadmap", "Invoice Tracker", "Contract Draft", "Onboarding Guide", "Travel Policy", "Sales Pipeline",
         "Customer List", "Architecture Overview", "Release Notes", "Training Plan", "Headcount Plan",
         "Risk Register", "QBR", "Brand Guidelines", "Vendor Evaluation", "Expense Summary", "Timeline",
         "Requirements", "Retrospective", "Org Chart", "Campaign Brief", "Pricing Model", "Security Review")
SUFFIXES = ("", "", "", " v2", " v3", " - Final", " (Draft)", " Q3 2026", " Q4 2026", " 2026-10", " FY27",
            " - Copy", " DRAFT")
EXTS = (("docx", 30), ("xlsx", 25), ("pptx", 15), ("pdf", 15), ("png", 5), ("csv", 3), ("jpg", 3), ("txt", 2),
        ("mp4", 1), ("vsdx", 1))
EXT_TABLE = [e for e, w in EXTS for _ in range(w)]
OD_FOLDERS = ("Documents", "Documents", "Documents/Desktop", "Documents/Microsoft Teams Chat Files",
              "Documents/Attachments", "Documents/Notes")
INTRANET_PAGES = ("Home.aspx", "Home.aspx", "Home.aspx", "News.aspx", "Benefits-2027.aspx", "IT-Service-Desk.aspx",
                  "Holiday-Calendar.aspx", "Expense-Policy.aspx", "Security-Awareness-Month.aspx",
                  "Town-Hall-Recap.aspx", "Office-Locations.aspx")
LINKS = ("https://learn.microsoft.com/en-us/microsoft-365/", "https://status.fabrikam.example/incidents/%d",
         "https://www.tailspintoys.example/catalog/%d", "https://jira.%s/browse/OPS-%d", "https://www.bing.com/maps",
         "https://calendly.example/meet/%d")

# activities: (name, group, weight); group scales with the person's affinity for SharePoint, OneDrive or Teams
ACTIVITIES = (
    ("sp_open", 0, 24.0), ("sp_preview", 0, 8.0), ("sp_page", 0, 12.0), ("sp_download", 0, 3.0),
    ("sp_upload", 0, 3.0), ("sp_share", 0, 0.8),
    ("od_sync", 1, 10.0), ("od_open", 1, 16.0), ("od_preview", 1, 5.0), ("od_upload", 1, 3.0),
    ("od_shared", 1, 5.0),
    ("tm_link", 2, 16.0), ("tm_meeting", 2, 14.0), ("tm_member", 2, 0.4), ("tm_channel", 2, 0.1),
)


class Site:
    __slots__ = ("k", "url", "display", "site", "web", "docs", "pages", "team", "group", "channels", "n_files",
                 "folders")


class Profile:
    __slots__ = ("level", "cum", "total", "sync", "sites", "home")


class Layout:
    """The tenant's sites, teams and people's habits: derived from the seed on demand (bounded memory)."""

    def __init__(self, tenant, seed):
        self.t = tenant
        self.seed = seed
        prefix = tenant.org_name.split(".")[0]
        self.host = "https://%s.sharepoint.com" % prefix
        self.my_host = "https://%s-my.sharepoint.com" % prefix
        self.domain_part = tenant.domain.replace(".", "_").replace("-", "_")
        self.people = sorted(tenant.execs + tenant.users)
        self.n_sites = min(MAX_SITES, max(len(DEPTS) // 2 + 1, len(self.people) // 12 + 4))
        self.n_depts = min(len(DEPTS), self.n_sites - 1)
        self.n_projects = self.n_sites - 1 - self.n_depts
        self._sites = {}

    # -- sites ----------------------------------------------------------------------------------
    def site(self, k):
        s = self._sites.get(k)
        if s is not None:
            return s
        seed = self.seed
        s = Site()
        s.k = k
        if k == 0:
            name, s.display = "intranet", "Contoso Intranet"
        elif k <= self.n_depts:
            s.display = DEPTS[k - 1]
            name = s.display.replace(" ", "")
        else:
            j = k - 1 - self.n_depts
            base = PROJECTS[j % len(PROJECTS)]
            s.display = "Project " + base + ("" if j < len(PROJECTS) else " %d" % (j // len(PROJECTS) + 1))
            name = s.display.replace(" ", "")
        s.url = "%s/sites/%s/" % (self.host, name)
        s.site = guid_of(seed, "spsite", k)
        s.web = guid_of(seed, "spweb", k)
        s.docs = guid_of(seed, "spdocs", k)
        s.pages = guid_of(seed, "sppages", k)
        s.team = "19:%016x%016x@thread.tacv2" % (mix(seed, "team", k), mix(seed, "team2", k))
        s.group = guid_of(seed, "m365group", k)
        h = mix(seed, "channels", k)
        chans = [("General", s.team)]
        for i in range(h % 4):
            name_c = CHANNELS[(h >> (8 + 4 * i)) % len(CHANNELS)]
            if all(name_c != c[0] for c in chans):
                chans.append((name_c, "19:%016x%016x@thread.tacv2" % (mix(seed, "chan", k, i), mix(seed, "chan2", k, i))))
        s.channels = chans
        s.folders = ["Shared Documents"] + ["Shared Documents/" + c[0] for c in chans] + ["Shared Documents/Archive"]
        s.n_files = 60 + mix(seed, "nfiles", k) % 900
        if len(self._sites) < MAX_SITES + 1:
            self._sites[k] = s
        return s

    def home_site(self, idx):
        return 1 + mix(self.seed, "ow-home", idx) % self.n_depts

    def project_site(self, idx, j):
        if self.n_projects <= 0:
            return 1 + mix(self.seed, "ow-proj", idx, j) % self.n_depts
        return 1 + self.n_depts + mix(self.seed, "ow-proj", idx, j) % self.n_projects

    # -- people ---------------------------------------------------------------------------------
    def profile(self, mbx):
        rng = rng_for(self.seed, "ow-user", mbx.idx)
        pr = Profile()
        pr.level = rng.lognormvariate(0.0, 0.55)
        aff = (rng.lognormvariate(0.0, 0.35), rng.lognormvariate(0.0, 0.35), rng.lognormvariate(0.0, 0.45))
        pr.sync = mbx.desktop is not None and rng.random() < 0.75
        cum, acc = [], 0.0
        for name, group, weight in ACTIVITIES:
            if name == "od_sync" and not pr.sync:
                weight = 0.0
            acc += weight * aff[group]
            cum.append(acc)
        pr.cum, pr.total = cum, acc
        pr.home = self.home_site(mbx.idx)
        pr.sites = [pr.home] + [self.project_site(mbx.idx, j) for j in range(1 + rng.randrange(3))]
        return pr

    def colleague(self, rng, mbx, home):
        """Someone else, preferably from the same department."""
        people, mbxs = self.people, self.t.mailboxes
        if len(people) < 2:
            return mbx
        for _ in range(12):
            c = people[rng.randrange(len(people))]
            if c != mbx.idx and self.home_site(c) == home:
                return mbxs[c]
        while True:
            c = people[rng.randrange(len(people))]
            if c != mbx.idx:
                return mbxs[c]

    def personal_url(self, mbx):
        return "%s/personal/%s_%s/" % (self.my_host, mbx.alias.replace(".", "_").replace("-", "_"),
                                       self.domain_part)

    # -- files ----------------------------------------------------------------------------------
    def file_name(self, scope, k):
        h = mix(self.seed, "fname", scope, k)
        ext = EXT_TABLE[h % len(EXT_TABLE)]
        stem = STEMS[(h >> 10) % len(STEMS)]
        suffix = SUFFIXES[(h >> 20) % len(SUFFIXES)]
        if (h >> 30) % 4 == 0:
            suffix += " %d" % ((h >> 34) % 50 + 1)
        return "%s%s.%s" % (stem, suffix, ext), ext, h

    def team_file(self, site, k):
        name, ext, h = self.file_name(site.k, k)
        return ("SharePoint", site.url, site.folders[(h >> 40) % len(site.folders)], name, ext, site.site, site.web,
                site.docs, guid_of(self.seed, "spfile", site.k, k))

    def own_file(self, mbx, k):
        name, ext, h = self.file_name("od%d" % mbx.idx, k)
        return ("OneDrive", self.personal_url(mbx), OD_FOLDERS[(h >> 40) % len(OD_FOLDERS)], name, ext,
                guid_of(self.seed, "odsite", mbx.idx), guid_of(self.seed, "odweb", mbx.idx),
                guid_of(self.seed, "oddocs", mbx.idx), guid_of(self.seed, "odfile", mbx.idx, k))


def day_factor(mbx, p):
    """Share of a full working day's activity on the day planned by benign.day_plan."""
    if p.transit:
        return 0.08 if mbx.mobile else 0.0
    if not p.active:
        return 0.05 if mbx.mobile else 0.0
    if p.weekend and not p.travelling:
        return 0.3
    return 1.0


class DayBudget:
    """The day's record budget spread over the people: expected records per person = k * weight."""

    def __init__(self, lay, ctx, day, target):
        mbxs = lay.t.mailboxes
        self.weights = {}
        total = 0.0
        for idx in lay.people:
            mbx = mbxs[idx]
            w = lay.profile(mbx).level * day_factor(mbx, day_plan(ctx, mbx, day))
            if w > 0:
                self.weights[idx] = w
                total += w
        self.k = target / total if total > 0 else 0.0


def person_day(lay, ctx, em, mbx, day, budget):
    w = budget.weights.get(mbx.idx)
    if not w:
        return
    rng = rng_for(ctx.seed, "ow", mbx.idx, day)
    n = poisson(rng, budget.k * w)
    if n <= 0:
        return
    override = ctx.label_override.get(mbx.idx)
    if override and day in override[0]:
        em.benign_label = override[1]
    PersonDay(lay, ctx, em, mbx, day, rng, n).run()
    em.benign_label = BENIGN


class PersonDay:
    """One person's SharePoint, OneDrive and Teams records of one day, exactly `n` of them."""

    def __init__(self, lay, ctx, em, mbx, day, rng, n):
        self.lay, self.ctx, self.em, self.mbx, self.day, self.rng = lay, ctx, em, mbx, day, rng
        self.t = ctx.tenant
        self.left = n
        self.p = p = day_plan(ctx, mbx, day)
        self.prof = lay.profile(mbx)
        ds = p.day_start
        if p.active and not p.transit:
            self.a, self.b = p.ws, max(p.ws + 600, p.we)
            self.mobile_only = False
        else:
            self.a = max(ds + 60, ds + (10 * 60 - p.tz * 60) * 60 + rng.randint(0, 3600))
            self.b = self.a + 9 * 3600
            self.mobile_only = True
        self.mob_ip = mobile_ip(ctx, mbx, p, rng)[1] if mbx.mobile else None
        self.home_ip = networks.ip_in(mbx.home_net, ctx.seed, "home", mbx.idx)
        self.started = set()

    # -- plumbing -------------------------------------------------------------------------------
    def ua_browser(self, dev):
        return MOBILE_UA[self.mbx.mobile] if dev == "mobile" else S.BROWSER_UA[self.mbx.browser]

    def put(self, ts, rec):
        if self.left <= 0:
            return False
        self.left -= 1
        self.em.ual(ts, rec)
        return True

    def sp(self, ts, op, ip, ua, app, loc, record_type=6, item_type="File", extra=None):
        workload, site_url, rel, name, ext, site, web, list_id, item = loc
        mbx = self.mbx
        return self.put(ts, R.sharepoint_item(self.t, ts, self.em.new_id(), op, record_type, workload, mbx.upn,
                                              mbx.puid, ip, ua, site_url, rel, name, ext, site, web, list_id, item,
                                              guid(self.rng), item_type, app, extra))

    def teams(self, ts, op, ip, fields=(), object_id=None, actor=None):
        who = actor or self.mbx
        return self.put(ts, R.teams_record(self.t, ts, self.em.new_id(), op, who.upn, who.oid, ip, fields,
                                           object_id))

    def session(self, ts, dev, ip):
        """TeamsSessionStarted once per client family and day (it does not log token refreshes)."""
        fam = "mobile" if dev == "mobile" else "desktop"
        if fam in self.started:
            return
        self.started.add(fam)
        if fam == "mobile":
            os_name = SESSION_OS[self.mbx.mobile]
        else:
            os_name = SESSION_OS["mac" if self.mbx.browser == "Safari" else "windows"]
        self.teams(ts, "TeamsSessionStarted", ip, object_id=os_name)

    def hot(self, n_files):
        return int(n_files * self.rng.random() ** 2.5)

    def pick_site(self):
        r = self.rng.random()
        sites = self.prof.sites
        if r < 0.45:
            return self.lay.site(sites[0])
        if r < 0.85:
            return self.lay.site(sites[self.rng.randrange(len(sites))])
        return self.lay.site(1 + self.rng.randrange(self.lay.n_sites - 1))

    def file_client(self, dev, ext):
        """(user agent, application) a file is opened with."""
        r = self.rng.random()
        if dev == "mobile":
            return MOBILE_UA[self.mbx.mobile], APP_TEAMS_CLIENT
        if dev == "desk" and ext in OFFICE_APPS and r < 0.55:
            return OFFICE_UA % OFFICE_APPS[ext], APP_OFFICE
        if r < 0.8 and dev == "desk":
            return TEAMS_UA, APP_TEAMS_CLIENT
        return S.BROWSER_UA[self.mbx.browser], None

    # -- the day --------------------------------------------------------------------------------
    def run(self):
        rng, mbx = self.rng, self.mbx
        main = "desk" if mbx.desktop else "web"
        if not self.mobile_only:
            self.session(self.a + rng.uniform(30, 400), main, self.p.ip)
        names = ACTIVITIES
        cum, total = self.prof.cum, self.prof.total
        guard = 0
        while self.left > 0 and guard < 10000:
            guard += 1
            ip = None
            if self.mobile_only or (mbx.mobile and rng.random() < 0.12):
                dev = "mobile"
            else:
                dev = main
            if mbx.night_owl and not self.mobile_only and rng.random() < 0.12:
                ts = self.p.day_start + (22 * 60 + 30 - self.p.tz * 60) * 60 + rng.uniform(0, 5400)
                ip = self.p.ip if self.p.travelling else self.home_ip
            else:
                ts = rng.uniform(self.a, self.b)
            if dev == "mobile":
                ip = self.mob_ip
            elif ip is None:
                ip = self.p.ip
            self.session(ts - rng.uniform(5, 90), dev, ip)
            name = names[min(len(names) - 1, bisect.bisect_right(cum, rng.random() * total))][0]
            getattr(self, name)(ts, dev, ip)

    # -- SharePoint -----------------------------------------------------------------------------
    def sp_open(self, ts, dev, ip):
        rng = self.rng
        site = self.pick_site()
        loc = self.lay.team_file(site, self.hot(site.n_files))
        ua, app = self.file_client(dev, loc[4])
        self.sp(ts, "FileAccessed", ip, ua, app, loc)
        if dev != "mobile" and rng.random() < 0.35:
            t2 = ts
            for _ in range(rng.randint(1, 3)):
                t2 += rng.uniform(300, 1800)
                self.sp(t2, "FileModified", ip, ua, app, loc)
        if rng.random() < 0.1:
            self.sp(ts + rng.uniform(1800, 7200), "FileAccessedExtended", ip, ua, app, loc)

    def sp_preview(self, ts, dev, ip):
        rng = self.rng
        site = self.pick_site()
        ua, app = (TEAMS_UA, APP_TEAMS_CLIENT) if dev == "desk" and rng.random() < 0.4 else (self.ua_browser(dev), None)
        base = self.hot(site.n_files)
        folder = None
        for i in range(rng.randint(1, 5)):
            loc = self.lay.team_file(site, (base + 7 * i) % site.n_files)
            if folder is None:
                folder = loc[2]
            loc = loc[:2] + (folder,) + loc[3:]
            self.sp(ts + i * rng.uniform(1, 12), "FilePreviewed", ip, ua, app, loc)

    def sp_page(self, ts, dev, ip):
        rng = self.rng
        lay = self.lay
        if rng.random() < 0.6:
            site = lay.site(0)
            page = INTRANET_PAGES[rng.randrange(len(INTRANET_PAGES))]
        else:
            site = self.pick_site()
            page = "Home.aspx"
        loc = ("SharePoint", site.url, "SitePages", page, "aspx", site.site, site.web, site.pages,
               guid_of(self.lay.seed, "sppage", site.k, page))
        ua = self.ua_browser(dev)
        self.sp(ts, "PageViewed", ip, ua, None, loc, record_type=4, item_type="Page")
        if rng.random() < 0.15:
            self.sp(ts + rng.uniform(1200, 5400), "PageViewedExtended", ip, ua, None, loc, record_type=4,
                    item_type="Page")

    def sp_download(self, ts, dev, ip):
        site = self.pick_site()
        loc = self.lay.team_file(site, self.hot(site.n_files))
        ua = TEAMS_UA if dev == "desk" and self.rng.random() < 0.3 else self.ua_browser(dev)
        self.sp(ts, "FileDownloaded", ip, ua, APP_TEAMS_CLIENT if ua == TEAMS_UA else None, loc)

    def sp_upload(self, ts, dev, ip):
        rng = self.rng
        site = self.pick_site()
        loc = self.lay.team_file(site, site.n_files + self.day * 1000 + rng.randrange(1000))
        ua, app = (TEAMS_UA, APP_TEAMS_CLIENT) if dev == "desk" and rng.random() < 0.5 else (self.ua_browser(dev),
                                                                                                 None)
        if rng.random() < 0.1:
            new = "%s %s" % (("Working", "Drafts", "Review", "Exports")[rng.randrange(4)], ual_time(ts)[:10])
            folder = (loc[0], loc[1], loc[2], new, "", loc[5], loc[6], loc[7], guid(rng))
            self.sp(ts - rng.uniform(5, 60), "FolderCreated", ip, ua, app, folder, item_type="Folder")
            loc = loc[:2] + (loc[2] + "/" + new,) + loc[3:]
        self.sp(ts, "FileUploaded", ip, ua, app, loc)

    def sp_share(self, ts, dev, ip):
        site = self.pick_site()
        loc = self.lay.team_file(site, self.hot(site.n_files))
        c = self.lay.colleague(self.rng, self.mbx, self.prof.home)
        self.sp(ts, "SharingSet", ip, self.ua_browser(dev), None, loc, record_type=14,
                extra={"TargetUserOrGroupName": c.upn, "TargetUserOrGroupType": "Member"})

    # -- OneDrive -------------------------------------------------------------------------------
    def od_sync(self, ts, dev, ip):
        rng = self.rng
        if dev != "desk":
            return self.od_open(ts, dev, ip)
        up = rng.random() < 0.6
        op = "FileSyncUploadedFull" if up else "FileSyncDownloadedFull"
        n_own = 40 + mix(self.lay.seed, "odfiles", self.mbx.idx) % 400
        team = rng.random() < 0.25
        site = self.lay.site(self.prof.sites[rng.randrange(len(self.prof.sites))]) if team else None
        t2 = ts
        for _ in range(rng.randint(1, 4)):
            if team:
                loc = self.lay.team_file(site, self.hot(site.n_files))
            else:
                loc = self.lay.own_file(self.mbx, self.hot(n_own))
            self.sp(t2, op, ip, SYNC_UA, APP_SYNC, loc)
            t2 += rng.uniform(2, 120)

    def od_open(self, ts, dev, ip):
        rng = self.rng
        n_own = 40 + mix(self.lay.seed, "odfiles", self.mbx.idx) % 400
        loc = self.lay.own_file(self.mbx, self.hot(n_own))
        ua, app = self.file_client(dev, loc[4])
        self.sp(ts, "FileAccessed", ip, ua, app, loc)
        if dev != "mobile" and rng.random() < 0.4:
            t2 = ts
            for _ in range(rng.randint(1, 2)):
                t2 += rng.uniform(300, 2400)
                self.sp(t2, "FileModified", ip, ua, app, loc)

    def od_preview(self, ts, dev, ip):
        rng = self.rng
        owner = self.mbx if rng.random() < 0.6 else self.lay.colleague(rng, self.mbx, self.prof.home)
        n_own = 40 + mix(self.lay.seed, "odfiles", owner.idx) % 400
        ua = TEAMS_UA if dev == "desk" and rng.random() < 0.5 else self.ua_browser(dev)
        app = APP_TEAMS_CLIENT if ua == TEAMS_UA else None
        for i in range(1 + (rng.random() < 0.3)):
            self.sp(ts + i * rng.uniform(1, 20), "FilePreviewed", ip, ua, app,
                    self.lay.own_file(owner, self.hot(n_own)))

    def od_upload(self, ts, dev, ip):
        n_own = 40 + mix(self.lay.seed, "odfiles", self.mbx.idx) % 400
        loc = self.lay.own_file(self.mbx, n_own + self.day * 1000 + self.rng.randrange(1000))
        loc = loc[:2] + ("Documents/Microsoft Teams Chat Files",) + loc[3:]
        ua = TEAMS_UA if dev == "desk" else self.ua_browser(dev)
        self.sp(ts, "FileUploaded", ip, ua, APP_TEAMS_CLIENT if dev != "web" else None, loc)

    def od_shared(self, ts, dev, ip):
        owner = self.lay.colleague(self.rng, self.mbx, self.prof.home)
        n_own = 40 + mix(self.lay.seed, "odfiles", owner.idx) % 400
        loc = self.lay.own_file(owner, self.hot(n_own))
        ua, app = self.file_client(dev, loc[4])
        self.sp(ts, "FileAccessed", ip, ua, app, loc)

    # -- Teams ----------------------------------------------------------------------------------
    def team_fields(self, site):
        return [("AADGroupId", site.group), ("CommunicationType", "Team"), ("TeamGuid", site.team),
                ("TeamName", site.display)]

    def tm_link(self, ts, dev, ip):
        rng, mbx, lay = self.rng, self.mbx, self.lay
        r = rng.random()
        if r < 0.6:
            site = lay.site(lay.project_site(mbx.idx, 0) if rng.random() < 0.3 else self.prof.home)
            url = "%s/:%s:/s/%s/E%s" % (lay.host, ("w", "x", "p", "b")[rng.randrange(4)],
                                        site.url.rstrip("/").rsplit("/", 1)[1], guid(rng).replace("-", "")[:22])
        else:
            pattern = LINKS[rng.randrange(len(LINKS))]
            n = pattern.count("%")
            url = pattern if n == 0 else (pattern % (self.t.domain, rng.randint(100, 9999)) if n == 2 else
                                          pattern % rng.randint(1000, 99999))
        mid = str(int(ts * 1000))
        if rng.random() < 0.6:
            c = lay.colleague(rng, mbx, self.prof.home)
            if rng.random() < 0.6:
                a, b = sorted((mbx.oid, c.oid))
                fields = [("ChatThreadId", "19:%s_%s@unq.gbl.spaces" % (a, b)), ("CommunicationType", "OneOnOne")]
            else:
                g = mix(lay.seed, "gchat", self.prof.home, rng.randrange(6))
                fields = [("ChatThreadId", "19:%016x%016x@thread.v2" % (g, mix(g, "lo"))),
                          ("CommunicationType", "GroupChat")]
            fields += [("MessageId", mid), ("MessageURLs", [url])]
        else:
            site = lay.site(self.prof.sites[rng.randrange(len(self.prof.sites))])
            ch, thread = site.channels[rng.randrange(len(site.channels))]
            fields = [("AADGroupId", site.group), ("ChannelGuid", thread), ("ChannelName", ch),
                      ("ChannelType", "Standard"), ("CommunicationType", "Team"), ("MessageId", mid),
                      ("MessageURLs", [url]), ("TeamGuid", site.team), ("TeamName", site.display)]
        self.teams(ts, "MessageCreatedHasLink", ip, fields)
        if rng.random() < 0.08:
            self.teams(ts + rng.uniform(20, 300), "MessageEditedHasLink", ip, fields)

    def tm_meeting(self, ts, dev, ip):
        rng, mbx = self.rng, self.mbx
        slot = int(ts) - int(ts) % 1800 + 1800
        join = slot + rng.uniform(-120, 240)
        leave = join + rng.choice((25, 30, 30, 45, 55, 60, 60)) * 60 + rng.uniform(-180, 300)
        organizer = mbx if rng.random() < 0.2 else self.lay.colleague(rng, mbx, self.prof.home)
        recurring = rng.random() < 0.45
        meeting = guid_of(self.lay.seed, "meeting", organizer.idx, slot if not recurring else slot % 86400)
        fields = [("Attendees", [{"OrganizationId": self.t.org_id, "RecipientType": "User",
                                  "UserObjectId": mbx.oid}]),
                  ("ItemName", "RecurringMeeting" if recurring else "ScheduledMeeting"),
                  ("JoinTime", ual_time(join)), ("LeaveTime", ual_time(leave)), ("MeetingDetailId", meeting)]
        self.teams(leave + rng.uniform(5, 90), "MeetingParticipantDetail", ip, fields, actor=organizer)

    def tm_member(self, ts, dev, ip):
        site = self.lay.site(self.prof.sites[self.rng.randrange(len(self.prof.sites))])
        c = self.lay.colleague(self.rng, self.mbx, self.prof.home)
        fields = self.team_fields(site)
        fields.insert(2, ("Members", [{"DisplayName": c.display, "Role": 0, "UPN": c.upn}]))
        self.teams(ts, "MemberAdded", ip, fields)

    def tm_channel(self, ts, dev, ip):
        rng = self.rng
        site = self.lay.site(self.prof.sites[rng.randrange(len(self.prof.sites))])
        name = CHANNELS[rng.randrange(len(CHANNELS))] + " " + ual_time(ts)[:7]
        g = mix(self.lay.seed, "newchan", site.k, int(ts))
        fields = [("AADGroupId", site.group), ("ChannelGuid", "19:%016x%016x@thread.tacv2" % (g, mix(g, "lo"))),
                  ("ChannelName", name), ("ChannelType", "Standard"), ("CommunicationType", "Team"),
                  ("TeamGuid", site.team), ("TeamName", site.display)]
        self.teams(ts, "ChannelAdded", ip, fields)
