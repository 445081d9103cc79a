"""Audit records for the autopkgtests of debian/tests (not a test itself).

Management Activity API records in their real shape (RecordType 50
MailItemsAccessed, 15 UserLoggedIn), as tests/e2e/records.py builds them, and
the corpus every test sends: three records that must be flagged, three that
must not, and one line that is not a record at all.
"""

import json
import uuid

TENANT = "4d3c2b1a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"
APP_GRAPH = "00000003-0000-0000-c000-000000000000"
APP_EXCHANGE = "00000002-0000-0ff1-ce00-000000000000"
APP_OUTLOOK_DESKTOP = "d3590ed6-52b3-4102-aeff-aad2292ab01c"
APPROVED_APP = "6f0a8c1e-2d4b-4e59-a7c3-9b1d5e8f2a64"
ROGUE_APP = "9e8d7c6b-5a49-4382-9170-fedcba987654"
REST_CLIENT = "Client=REST;Client=RESTSystem;;"
OUTLOOK_CLIENT = "Client=MSExchangeRPC"


def rid(tag):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "mbx-autopkgtest/" + tag))


def mail_items_accessed(record_id, mailbox, app_id=None, client_app_id=None, client_info=REST_CLIENT,
                        user_type=0, user_key="10032001C0FFEE01", throttled=False, n_items=2):
    rec = {
        "CreationTime": "2026-11-02T08:15:02",
        "Id": record_id,
        "Operation": "MailItemsAccessed",
        "OrganizationId": TENANT,
        "RecordType": 50,
        "ResultStatus": "Succeeded",
        "UserKey": user_key,
        "UserType": user_type,
        "Version": 1,
        "Workload": "Exchange",
        "ClientIP": "192.0.2.44",
        "UserId": mailbox,
    }
    if app_id is not None:
        rec["AppId"] = app_id
    if client_app_id is not None:
        rec["ClientAppId"] = client_app_id
    rec.update({
        "ClientIPAddress": "192.0.2.44",
        "ClientInfoString": client_info,
        "ExternalAccess": False,
        "InternalLogonType": 0,
        "LogonType": 0,
        "LogonUserSid": "S-1-5-21-3623811015-3361044348-30300820-1020",
        "MailboxGuid": "9a2f4c61-0d8e-4b37-a5c9-1e6b3f7d2a08",
        "MailboxOwnerSid": "S-1-5-21-3623811015-3361044348-30300820-1020",
        "MailboxOwnerUPN": mailbox,
        "OperationProperties": [
            {"Name": "MailAccessType", "Value": "Bind"},
            {"Name": "IsThrottled", "Value": "True" if throttled else "False"},
        ],
        "OrganizationName": "contoso.onmicrosoft.com",
        "OriginatingServer": "DB9PR02MB7019 (15.20.8293.000)\r\n",
        "Folders": [{
            "Id": "LgAAAACe1Pq0bX3NQ5Vx2m9hK4rLAQBx0Yq7d2f1S5y8ZkQ3b6wAAAAAAEMAAAB",
            "Path": "\\Inbox",
            "FolderItems": [{"InternetMessageId": "<%s.%d@SN6PR11MB2830.namprd11.prod.outlook.com>" % (record_id[:8], i),
                             "SizeInBytes": 7000 + i} for i in range(n_items)],
        }],
        "OperationCount": n_items,
    })
    return rec


def user_logged_in(record_id, user):
    return {
        "CreationTime": "2026-11-02T08:15:02", "Id": record_id, "Operation": "UserLoggedIn",
        "OrganizationId": TENANT, "RecordType": 15, "ResultStatus": "Success",
        "UserKey": "2b7e9c4d-81f3-4a6e-b0d2-5c9f1e8a3d74", "UserType": 0, "Version": 1,
        "Workload": "AzureActiveDirectory", "ClientIP": "203.0.113.45", "UserId": user,
        "ObjectId": APP_EXCHANGE, "AzureActiveDirectoryEventType": 1,
        "ExtendedProperties": [{"Name": "ResultStatusDetail", "Value": "Success"},
                               {"Name": "RequestType", "Value": "OAuth2:Authorize"}],
        "ApplicationId": APP_OUTLOOK_DESKTOP,
    }


def corpus():
    """[(record or raw line, id, expected rules)]: what is sent and where it must land."""
    c = []
    # suspicious: an unapproved app reading mail over Graph with a user's token
    r = mail_items_accessed(rid("graph-rogue"), "cfo@contoso.com", app_id=APP_GRAPH, client_app_id=ROGUE_APP)
    c.append((r, r["Id"], ("app-unapproved",)))
    # suspicious: the same app with its own permission (app-only, UserType 5)
    r = mail_items_accessed(rid("apponly-rogue"), "ceo@contoso.com", app_id=ROGUE_APP, client_app_id="",
                            user_type=5, user_key=ROGUE_APP)
    c.append((r, r["Id"], ("app-unapproved",)))
    # suspicious: a throttled read (Exchange stops auditing that mailbox)
    r = mail_items_accessed(rid("owner-throttled"), "alice@contoso.com", client_info=OUTLOOK_CLIENT, throttled=True)
    c.append((r, r["Id"], ("throttled",)))
    # benign: the approved app over Graph; the owner in Outlook; a sign-in
    r = mail_items_accessed(rid("graph-approved"), "cfo@contoso.com", app_id=APP_GRAPH, client_app_id=APPROVED_APP)
    c.append((r, r["Id"], ()))
    r = mail_items_accessed(rid("owner-outlook"), "bob@contoso.com", client_info=OUTLOOK_CLIENT)
    c.append((r, r["Id"], ()))
    r = user_logged_in(rid("signin"), "alice@contoso.com")
    c.append((r, r["Id"], ()))
    # not an audit record: passes through untouched, tagged mailbox.unparsed
    c.append(("autopkgtest: not an audit record", None, ()))
    return c


def line_of(item):
    return item if isinstance(item, str) else json.dumps(item, separators=(",", ":"))
