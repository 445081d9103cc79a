"""The synthetic tenant: mailboxes, people, admin identities, approved apps and policy.json."""

from common import guid_of, mix, puid_of, rng_for, sid_of
import networks

FIRST = ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
         "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Chris", "Karen",
         "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Paul", "Ashley", "Steven",
         "Emily", "Andrew", "Donna", "Joshua", "Michelle", "Kevin", "Carol", "Brian", "Amanda", "George", "Melissa",
         "Timothy", "Deborah", "Ronald", "Stephanie", "Jason", "Rebecca", "Ryan", "Laura", "Jacob", "Helen",
         "Gary", "Sharon", "Nicholas", "Cynthia", "Eric", "Kathleen", "Oliver", "Amelia", "Harry", "Isla",
         "Jack", "Ava", "Noah", "Mia", "Leo", "Sophie", "Lucas", "Chloe", "Hugo", "Camille", "Louis", "Lea",
         "Jules", "Manon", "Arthur", "Ines", "Lukas", "Hannah", "Felix", "Lena", "Jonas", "Anna", "Priya",
         "Arjun", "Wei", "Mei", "Hiroshi", "Yuki", "Carlos", "Lucia", "Ahmed", "Fatima", "Olga", "Ivan",
         "Sean", "Aoife", "Diego", "Sofia")
LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
        "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
        "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Evans",
        "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Patel",
        "Shah", "Kumar", "Chen", "Wang", "Li", "Zhang", "Tanaka", "Sato", "Dubois", "Moreau", "Laurent",
        "Bernard", "Petit", "Durand", "Leroy", "Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
        "Wagner", "Becker", "Hoffmann", "Kowalski", "Novak", "Ivanova", "OBrien", "Kelly", "Byrne", "Rossi",
        "Russo", "Silva", "Santos", "Costa", "Jensen", "Hansen")

EXEC_TITLES = ("Chief Executive Officer", "Chief Financial Officer", "Chief Operating Officer",
               "General Counsel", "Chief Technology Officer", "Chief People Officer", "VP Sales",
               "VP Finance", "Chief Information Security Officer", "VP Mergers and Acquisitions")
SHARED_NAMES = ("support", "finance", "accounts-payable", "hr", "sales", "info", "legal", "payroll", "it-helpdesk",
                "procurement")

# Real first-party application ids (names as Entra shows them).
APP_OUTLOOK_DESKTOP = "d3590ed6-52b3-4102-aeff-aad2292ab01c"
APP_NEW_OUTLOOK = "13937bba-652e-4c46-b222-3003f4d1ff97"
APP_OUTLOOK_MOBILE = "27922004-5251-4030-b22d-91ecd9a37ea4"
APP_OWA = "9199bf20-a13f-4107-85dc-02114787ef48"
APP_EXO = "00000002-0000-0ff1-ce00-000000000000"
APP_GRAPH = "00000003-0000-0000-c000-000000000000"
APP_EXO_PS = "fb78d390-0c51-40cd-8e17-fdbfab77341b"
APP_TEAMS = "1fec8e78-bce4-4aaf-ab1b-5451cc387264"
APP_AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
APP_AZURE_PS = "1950a258-227b-4e31-a9cf-717495945fc2"
APP_PORTAL = "00000006-0000-0ff1-ce00-000000000000"
APP_COMPLIANCE = "80ccca67-54bd-44ab-8625-4b79c4dc7775"

FIRST_PARTY = {
    APP_OUTLOOK_DESKTOP: "Microsoft Office",
    APP_NEW_OUTLOOK: "Outlook (new)",
    APP_OUTLOOK_MOBILE: "Outlook Mobile",
    APP_OWA: "One Outlook Web",
    APP_EXO: "Office 365 Exchange Online",
    APP_GRAPH: "Microsoft Graph",
    APP_EXO_PS: "Microsoft Exchange REST API Based Powershell",
    APP_TEAMS: "Microsoft Teams",
    APP_PORTAL: "Microsoft Office 365 Portal",
    APP_COMPLIANCE: "Microsoft 365 Security and Compliance Center",
}

# site: (country, utc offset hours, office network or None, home networks, mobile network, weight)
SITES = {
    "sea": ("US", -8, "office_sea", ("home_us_comcast", "home_us_verizon", "home_us_v6"), "mobile_us", 55),
    "lon": ("GB", 0, "office_lon", ("home_gb_bt",), "mobile_gb", 25),
    "par": ("FR", 1, "office_par", ("home_fr_orange",), "mobile_fr", 14),
    "ber": ("DE", 1, None, ("home_de_dtag",), "mobile_fr", 6),
}
SITE_VPN = {"sea": "vpn_us", "lon": "vpn_eu", "par": "vpn_eu", "ber": "vpn_eu"}
TRAVEL_NETS = ("travel_jp", "travel_es", "travel_sg", "travel_ca")


class App:
    __slots__ = ("app_id", "name", "sp_id", "kind", "access", "net", "user_agent")

    def __init__(self, app_id, name, sp_id, kind, access, net=None, user_agent=None):
        self.app_id, self.name, self.sp_id, self.kind = app_id, name, sp_id, kind
        self.access, self.net, self.user_agent = access, net, user_agent


class Identity:
    """An account that is not (or not only) a mailbox: admins, compliance officer, attacker-made users."""
    __slots__ = ("upn", "display", "oid", "puid", "sid")

    def __init__(self, seed, upn, display):
        self.upn, self.display = upn, display
        self.oid = guid_of(seed, "oid", upn)
        self.puid = puid_of(seed, "puid", upn)
        self.sid = sid_of(seed, "sid", upn)


class Mailbox:
    __slots__ = ("idx", "upn", "alias", "display", "oid", "puid", "guid", "sid", "role", "title", "site", "tz",
                 "start_min", "end_min", "desktop", "owa", "mobile", "imap", "search_audit", "night_owl",
                 "home_net", "mobile_net", "localized", "remote_days", "travel", "delegates", "crm", "msg_rate",
                 "browser", "server")

    def __init__(self, seed, idx, alias, display, role, rng):
        self.idx, self.alias, self.display, self.role = idx, alias, display, role
        self.upn = None
        self.oid = guid_of(seed, "oid", idx)
        self.puid = puid_of(seed, "puid", idx)
        self.guid = guid_of(seed, "mbxguid", idx)
        self.sid = sid_of(seed, "sid", idx)
        self.title = ""
        self.delegates = ()
        self.travel = None
        self.crm = False
        r = rng.random() * 100
        acc = 0
        for site, row in SITES.items():
            acc += row[5]
            if r < acc:
                break
        self.site = site
        self.tz = SITES[site][1]
        self.start_min = rng.randint(7 * 60 + 15, 9 * 60 + 45)
        self.end_min = self.start_min + rng.randint(7 * 60 + 30, 9 * 60 + 30)
        c = rng.random()
        self.desktop = "classic" if c < 0.68 else ("new" if c < 0.83 else None)
        self.owa = self.desktop is None or rng.random() < 0.2
        m = rng.random()
        self.mobile = "ios" if m < 0.42 else ("android" if m < 0.58 else None)
        self.imap = rng.random() < 0.012
        self.search_audit = rng.random() < 0.35
        self.night_owl = rng.random() < 0.03
        homes = SITES[site][3]
        self.home_net = homes[rng.randrange(len(homes))]
        self.mobile_net = SITES[site][4]
        self.localized = site == "par" and rng.random() < 0.15
        self.remote_days = frozenset(rng.sample(range(5), rng.choice((0, 1, 2, 2, 3, 5))))
        if SITES[site][2] is None:
            self.remote_days = frozenset(range(7))
        self.msg_rate = int(rng.lognormvariate(3.4, 0.5)) + 5
        self.browser = rng.choice(("Edge", "Chrome", "Chrome", "Safari", "Firefox"))
        self.server = "%s%dPR%02dMB%04d" % (rng.choice(("SN", "BY", "CH", "DM", "AM", "DB", "PA")), rng.randint(1, 9),
                                            rng.randint(1, 19), rng.randint(1000, 9999))


class Tenant:
    def __init__(self, seed, mailboxes, domain, days, start_epoch):
        self.seed = seed
        self.domain = domain
        self.days = days
        self.start_epoch = start_epoch
        self.org_id = guid_of(seed, "org")
        self.org_name = domain.split(".")[0] + ".onmicrosoft.com"
        self.region = "NAMPR%02dA%03d" % (mix(seed, "region") % 20, mix(seed, "region2") % 1000)
        self.mailboxes = []
        self._build_mailboxes(mailboxes)
        self._build_identities()
        self._build_apps()

    # -- people ---------------------------------------------------------------------------------
    def _build_mailboxes(self, n):
        seed = self.seed
        n_exec = max(4, n // 100)
        n_shared = max(3, min(len(SHARED_NAMES) + 200, n // 50))
        used = set()
        for idx in range(n):
            rng = rng_for(seed, "mailbox", idx)
            if idx < n_exec:
                role = "exec"
            elif idx < n_exec + n_shared:
                role = "shared"
            else:
                role = "user"
            if role == "shared":
                k = idx - n_exec
                alias = SHARED_NAMES[k] if k < len(SHARED_NAMES) else "shared-%03d" % (k - len(SHARED_NAMES) + 1)
                display = alias.replace("-", " ").title() + " Mailbox"
            else:
                first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
                alias = "%s.%s" % (first.lower(), last.lower())
                display = "%s %s" % (first, last)
                if alias in used:
                    alias = "%s%d" % (alias, idx)
            used.add(alias)
            mbx = Mailbox(seed, idx, alias, display, role, rng)
            mbx.upn = "%s@%s" % (alias, self.domain)
            if role == "exec":
                mbx.title = EXEC_TITLES[idx % len(EXEC_TITLES)]
                mbx.search_audit = True
                mbx.mobile = mbx.mobile or "ios"
            if role == "shared":
                mbx.desktop, mbx.owa, mbx.mobile, mbx.imap, mbx.night_owl = None, False, None, False, False
                mbx.search_audit = False
            self.mailboxes.append(mbx)
        users = [m.idx for m in self.mailboxes if m.role == "user"]
        self.users = users
        self.execs = [m.idx for m in self.mailboxes if m.role == "exec"]
        self.shared = [m.idx for m in self.mailboxes if m.role == "shared"]
        rng = rng_for(seed, "relations")
        for idx in self.shared:
            self.mailboxes[idx].delegates = tuple(sorted(rng.sample(users, min(len(users), rng.randint(2, 5)))))
        for idx in self.execs:
            self.mailboxes[idx].delegates = (rng.choice(users),)
        for idx in users:
            mbx = self.mailboxes[idx]
            if rng.random() < 0.025 and self.days >= 3:
                start = rng.randrange(0, self.days - 1)
                mbx.travel = (start, rng.randint(1, 3), rng.choice(TRAVEL_NETS))
        n_crm = max(3, min(60, len(users) // 40))
        for idx in rng.sample(users, min(len(users), n_crm)):
            self.mailboxes[idx].crm = True
        self.support = self.shared[0]

    def _build_identities(self):
        seed = self.seed
        rng = rng_for(seed, "admins")
        def person(prefix):
            first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
            return Identity(seed, "%s.%s.%s@%s" % (prefix, first.lower(), last.lower(), self.domain),
                            "%s %s (%s)" % (first, last, prefix))
        self.exchange_admin = person("adm")
        self.global_admin = person("ga")
        self.compliance_admin = person("ediscovery")
        self.admins = [self.exchange_admin, self.global_admin, self.compliance_admin]

    # -- apps -----------------------------------------------------------------------------------
    def _build_apps(self):
        seed = self.seed
        self.backup = App(guid_of(seed, "app", "backup"), "Fabrikam Cloud Backup for Microsoft 365",
                          guid_of(seed, "sp", "backup"), "third-party", "app-only", "msft_azure_eu",
                          "Fabrikam-Backup/7.1 (GraphSDK)")
        self.crm = App(guid_of(seed, "app", "crm"), "Northwind CRM for Outlook", guid_of(seed, "sp", "crm"),
                       "third-party", "delegated", "vendor_crm", "NorthwindCRM-MailSync/4.2")
        self.ticketing = App(guid_of(seed, "app", "ticketing"), "Helpdesk Mail Connector",
                             guid_of(seed, "sp", "ticketing"), "third-party", "app-only", "vendor_aws",
                             "python-requests/2.31.0")
        self.rollout = App(guid_of(seed, "app", "rollout"), "Tailspin Email Signatures",
                           guid_of(seed, "sp", "rollout"), "third-party", "app-only", "msft_azure_us",
                           "Tailspin-Signatures/3.0")
        self.benign_consent_apps = [
            App(guid_of(seed, "app", "zoom"), "Zoom for Outlook", guid_of(seed, "sp", "zoom"), "third-party",
                "delegated"),
            App(guid_of(seed, "app", "adobe"), "Adobe Acrobat for Outlook", guid_of(seed, "sp", "adobe"),
                "third-party", "delegated"),
        ]
        self.graph_sp = guid_of(seed, "sp", "graph")
        self.exo_sp = guid_of(seed, "sp", "exo")

    def approved_apps(self):
        apps = dict(FIRST_PARTY)
        for app in [self.backup, self.crm, self.ticketing, self.rollout] + self.benign_consent_apps:
            apps[app.app_id] = app.name
        return apps

    def policy(self):
        return {
            "tenant_domain": self.domain,
            "organization_id": self.org_id,
            "organization_name": self.org_name,
            "approved_apps": self.approved_apps(),
            "approved_app_details": [
                {"app_id": a.app_id, "name": a.name, "service_principal_id": a.sp_id, "access": a.access}
                for a in [self.backup, self.crm, self.ticketing, self.rollout] + self.benign_consent_apps],
            "trusted_networks": [cidr for _, cidr in networks.trusted_cidrs()],
            "trusted_network_names": {cidr: name for name, cidr in networks.trusted_cidrs()},
            "executive_mailboxes": [self.mailboxes[i].upn for i in self.execs],
            "shared_mailboxes": [self.mailboxes[i].upn for i in self.shared],
            "admin_accounts": [a.upn for a in self.admins],
            "search_audit_enabled_mailboxes": sum(1 for m in self.mailboxes if m.search_audit),
        }
