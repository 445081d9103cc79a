"""Every IP range the generator draws addresses from, with synthetic geolocation / ASN data.

The ranges are public, globally routable blocks (no RFC 1918, CGNAT, loopback, documentation or
other reserved space), because MaxMind DB writers silently drop reserved networks. Owner, ASN and
coordinates approximate the public allocations; they are test data, not a geolocation source.
ip-ranges.csv is written from NETWORKS, so it lists every range any record can carry.
"""

import ipaddress

from common import mix

# name: (cidr, country, city, latitude, longitude, asn, as_org, hosting, role)
# role: office / vpn (trusted egress), home, mobile, travel, cloud (vendors, Microsoft),
#       hosting (attacker VPS), proxy (attacker residential proxy), tor
NETWORKS = {
    "office_sea": ("64.125.48.0/24", "US", "Seattle", 47.6062, -122.3321, 6461, "Zayo Bandwidth", False, "office"),
    "office_lon": ("149.6.140.0/24", "GB", "London", 51.5072, -0.1276, 174, "Cogent Communications", False, "office"),
    "office_par": ("194.2.100.0/24", "FR", "Paris", 48.8566, 2.3522, 3215, "Orange S.A.", False, "office"),
    "vpn_us": ("165.225.48.0/24", "US", "San Jose", 37.3382, -121.8863, 53813, "Zscaler, Inc.", True, "vpn"),
    "vpn_eu": ("165.225.72.0/24", "GB", "London", 51.5072, -0.1276, 53813, "Zscaler, Inc.", True, "vpn"),
    "home_us_comcast": ("73.35.0.0/16", "US", "Seattle", 47.6101, -122.2015, 7922,
                        "Comcast Cable Communications, LLC", False, "home"),
    "home_us_verizon": ("108.28.0.0/16", "US", "Ashburn", 39.0438, -77.4874, 701, "Verizon Business", False, "home"),
    "home_us_v6": ("2601:600::/24", "US", "Seattle", 47.6101, -122.2015, 7922,
                   "Comcast Cable Communications, LLC", False, "home"),
    "home_gb_bt": ("86.128.0.0/16", "GB", "London", 51.5155, -0.0922, 2856, "British Telecommunications PLC", False,
                   "home"),
    "home_fr_orange": ("90.0.0.0/16", "FR", "Paris", 48.8647, 2.3490, 3215, "Orange S.A.", False, "home"),
    "home_de_dtag": ("79.192.0.0/16", "DE", "Berlin", 52.5200, 13.4050, 3320, "Deutsche Telekom AG", False, "home"),
    "mobile_us": ("172.56.0.0/16", "US", "Seattle", 47.6062, -122.3321, 21928, "T-Mobile USA, Inc.", False, "mobile"),
    "mobile_gb": ("31.94.0.0/16", "GB", "London", 51.5072, -0.1276, 12576, "EE Limited", False, "mobile"),
    "mobile_fr": ("80.215.0.0/16", "FR", "Paris", 48.8566, 2.3522, 15557, "Societe Francaise Du Radiotelephone", False,
                  "mobile"),
    "travel_jp": ("1.72.0.0/16", "JP", "Tokyo", 35.6762, 139.6503, 9605, "NTT DOCOMO, INC.", False, "travel"),
    "travel_es": ("83.32.0.0/16", "ES", "Madrid", 40.4168, -3.7038, 3352, "Telefonica de Espana", False, "travel"),
    "travel_sg": ("118.189.0.0/16", "SG", "Singapore", 1.2897, 103.8501, 9506, "Singtel Fibre Broadband", False,
                  "travel"),
    "travel_ca": ("70.48.0.0/16", "CA", "Toronto", 43.6532, -79.3832, 577, "Bell Canada", False, "travel"),
    "msft_azure_eu": ("20.50.0.0/16", "NL", "Amsterdam", 52.3676, 4.9041, 8075, "Microsoft Corporation", True, "cloud"),
    "msft_azure_us": ("20.42.0.0/16", "US", "Boydton", 36.6676, -78.3875, 8075, "Microsoft Corporation", True, "cloud"),
    "msft_exo_v6": ("2603:10a6::/32", "IE", "Dublin", 53.3498, -6.2603, 8075, "Microsoft Corporation", True, "cloud"),
    "vendor_crm": ("136.146.0.0/16", "US", "San Francisco", 37.7749, -122.4194, 14340, "Salesforce.com, Inc.", True,
                   "cloud"),
    "vendor_aws": ("18.204.0.0/16", "US", "Ashburn", 39.0438, -77.4874, 14618, "Amazon.com, Inc.", True, "cloud"),
    "vps_do_nl": ("188.166.0.0/16", "NL", "Amsterdam", 52.3740, 4.8897, 14061, "DigitalOcean, LLC", True, "hosting"),
    "vps_ovh_fr": ("51.75.0.0/16", "FR", "Roubaix", 50.6942, 3.1746, 16276, "OVH SAS", True, "hosting"),
    "vps_hetzner_fi": ("95.216.0.0/16", "FI", "Helsinki", 60.1699, 24.9384, 24940, "Hetzner Online GmbH", True,
                       "hosting"),
    "vps_vultr_us": ("45.76.0.0/16", "US", "Piscataway", 40.5549, -74.4643, 20473, "The Constant Company, LLC", True,
                     "hosting"),
    "vps_m247_ro": ("185.156.172.0/22", "RO", "Bucharest", 44.4268, 26.1025, 9009, "M247 Europe SRL", True, "hosting"),
    "tor_de": ("185.220.101.0/24", "DE", "Frankfurt am Main", 50.1109, 8.6821, 60729,
               "Stiftung Erneuerbare Freiheit", True, "tor"),
    "proxy_vn": ("113.160.0.0/16", "VN", "Hanoi", 21.0278, 105.8342, 45899, "VNPT Corp", False, "proxy"),
    "proxy_ng": ("105.112.0.0/16", "NG", "Lagos", 6.5244, 3.3792, 36873, "Airtel Networks Limited", False, "proxy"),
    "proxy_br": ("187.56.0.0/16", "BR", "Sao Paulo", -23.5505, -46.6333, 18881, "Telefonica Brasil S.A", False,
                 "proxy"),
    "proxy_ru": ("178.64.0.0/16", "RU", "Moscow", 55.7558, 37.6173, 12389, "PJSC Rostelecom", False, "proxy"),
    "proxy_us_res": ("98.32.0.0/16", "US", "Dallas", 32.7767, -96.7970, 7018, "AT&T Services, Inc.", False, "proxy"),
}

STATE = {"Seattle": "Washington", "San Jose": "California", "Ashburn": "Virginia", "Boydton": "Virginia",
         "San Francisco": "California", "Piscataway": "New Jersey", "Dallas": "Texas", "London": "England",
         "Paris": "Ile-de-France", "Roubaix": "Hauts-de-France", "Berlin": "Berlin", "Frankfurt am Main": "Hesse",
         "Tokyo": "Tokyo", "Madrid": "Madrid", "Singapore": "Singapore", "Toronto": "Ontario",
         "Amsterdam": "North Holland", "Dublin": "Leinster", "Helsinki": "Uusimaa", "Bucharest": "Bucuresti",
         "Hanoi": "Ha Noi", "Lagos": "Lagos", "Sao Paulo": "Sao Paulo", "Moscow": "Moscow"}

_PARSED = {}
for _name, _row in NETWORKS.items():
    _net = ipaddress.ip_network(_row[0])
    _PARSED[_name] = (int(_net.network_address), _net.num_addresses, _net.version)


def ip_in(name, *selector):
    """A stable host address inside network `name` chosen by hashing `selector`."""
    base, size, version = _PARSED[name]
    if version == 4:
        n = base + 1 + mix(*selector) % (size - 2)
        return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)
    n = base + 1 + mix(*selector) % min(size - 2, 1 << 64)
    return str(ipaddress.IPv6Address(n))


def info(name):
    return NETWORKS[name]


def names_with_role(*roles):
    return [n for n, row in NETWORKS.items() if row[8] in roles]


def trusted_cidrs():
    return [(n, NETWORKS[n][0]) for n in NETWORKS if NETWORKS[n][8] in ("office", "vpn")]


def location(name):
    row = NETWORKS[name]
    return {"city": row[2], "state": STATE.get(row[2], ""), "countryOrRegion": row[1],
            "geoCoordinates": {"latitude": row[3], "longitude": row[4]}}


def csv_rows():
    for row in NETWORKS.values():
        yield (row[0], row[1], row[5], row[6], "true" if row[7] else "false", row[3], row[4])
