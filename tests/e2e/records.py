"""Management Activity API audit records in their real shape, for the end-to-end suites.

Only what the suites need: MailItemsAccessed (RecordType 50) in its owner,
app-only and delegated-app shapes, a UserLoggedIn sign-in (RecordType 15) and
an Exchange admin cmdlet (RecordType 1).  Ids are deterministic GUIDs, so a
suite can name every record it expects in every destination.
"""

import json
import uuid

TENANT = "4d3c2b1a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"
ORG_NAME = "contoso.onmicrosoft.com"
CREATION_TIME = "2026-11-02T08:15:02"

APP_GRAPH = "00000003-0000-0000-c000-000000000000"
APP_EXCHANGE = "00000002-0000-0ff1-ce00-000000000000"
APP_OUTLOOK_DESKTOP = "d3590ed6-52b3-4102-aeff-aad2292ab01c"

# two line-of-business apps the tenant approved, and two it did not
APPROVED_APP = "6f0a8c1e-2d4b-4e59-a7c3-9b1d5e8f2a64"
APPROVED_APP2 = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
ROGUE_APP = "9e8d7c6b-5a49-4382-9170-fedcba987654"
ROGUE_APP2 = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

REST_CLIENT = "Client=REST;Client=RESTSystem;;"
OUTLOOK_CLIENT = "Client=MSExchangeRPC"


def rid(tag, n=0):
    """A deterministic record id (a GUID) for @tag and @n."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "mbx-e2e/%s/%d" % (tag, n)))


def dumps(record):
    """One record as one line of compact JSON."""
    return json.dumps(record, separators=(",", ":"))


def _base(record_id, operation, record_type, user_id, user_key, user_type, workload, client_ip="192.0.2.44"):
    return {
        "CreationTime": CREATION_TIME,
        "Id": record_id,
        "Operation": operation,
        "OrganizationId": TENANT,
        "RecordType": record_type,
        "ResultStatus": "Succeeded",
        "UserKey": user_key,
        "UserType": user_type,
        "Version": 1,
        "Workload": workload,
        "ClientIP": client_ip,
        "UserId": user_id,
    }


def file_accessed(record_id, user, workload="SharePoint", operation="FileAccessed"):
    """A SharePoint, OneDrive or Teams record: a workload no rule reads."""
    rec = _base(record_id, operation, 25 if workload == "MicrosoftTeams" else 6, user, "i:0h.f|membership|%s" % user,
                0, workload)
    rec.update({"ObjectId": "https://contoso.sharepoint.com/sites/Finance/Shared Documents/plan.xlsx",
                "EventSource": "SharePoint", "ItemType": "File", "SourceFileName": "plan.xlsx",
                "UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"})
    return rec


def _folders(record_id, n_items, path="\\Inbox"):
    return [{
        "Id": "LgAAAACe1Pq0bX3NQ5Vx2m9hK4rLAQBx0Yq7d2f1S5y8ZkQ3b6wAAAAAAEMAAAB",
        "Path": path,
        "FolderItems": [{"InternetMessageId": "<%s.%d@SN6PR11MB2830.namprd11.prod.outlook.com>" % (record_id[:8], i),
                         "SizeInBytes": 7000 + i} for i in range(n_items)],
    }]


def mail_items_accessed(record_id, mailbox, user_id=None, app_id=None, client_app_id=None,
                        client_info=REST_CLIENT, user_type=0, logon_type=0, throttled=False, access_type="Bind",
                        n_items=2, user_key=None, folder_path="\\Inbox", padding=None):
    """RecordType 50 MailItemsAccessed.  app_id/client_app_id None leaves the key out (Outlook over MAPI)."""
    user_id = user_id or mailbox
    rec = _base(record_id, "MailItemsAccessed", 50, user_id, user_key or "10032001C0FFEE01", user_type, "Exchange")
    if app_id is not None:
        rec["AppId"] = app_id
    if client_app_id is not None:
        rec["ClientAppId"] = client_app_id
    rec.update({
        "ClientIPAddress": "192.0.2.44",
        "ClientInfoString": client_info,
        "ExternalAccess": False,
        "InternalLogonType": 0,
        "LogonType": logon_type,
        "LogonUserSid": "S-1-5-21-3623811015-3361044348-30300820-1020",
        "MailboxGuid": "9a2f4c61-0d8e-4b37-a5c9-1e6b3f7d2a08",
        "MailboxOwnerSid": "S-1-5-21-3623811015-3361044348-30300820-1020",
        "MailboxOwnerUPN": mailbox,
        "OperationProperties": [
            {"Name": "MailAccessType", "Value": access_type},
            {"Name": "IsThrottled", "Value": "True" if throttled else "False"},
        ],
        "OrganizationName": ORG_NAME,
        "OriginatingServer": "DB9PR02MB7019 (15.20.8293.000)\r\n",
        "Folders": _folders(record_id, n_items, folder_path),
        "OperationCount": n_items,
    })
    if padding:
        rec["Padding"] = padding
    return rec


def owner_outlook_read(record_id, mailbox, throttled=False, **kw):
    """The mailbox owner reading mail in Outlook desktop over MAPI: no app ids at all."""
    return mail_items_accessed(record_id, mailbox, client_info=OUTLOOK_CLIENT, throttled=throttled, **kw)


def app_only_read(record_id, mailbox, app, throttled=False, **kw):
    """An app reading a mailbox with its own permission (UserType 5, the app in AppId and UserKey)."""
    return mail_items_accessed(record_id, mailbox, user_id=mailbox, app_id=app, client_app_id="", user_type=5,
                               user_key=app, throttled=throttled, **kw)


def delegated_graph_read(record_id, mailbox, client_app, client_info=REST_CLIENT, **kw):
    """A user's token of @client_app reading through Graph: AppId is Graph, ClientAppId the real app."""
    return mail_items_accessed(record_id, mailbox, app_id=APP_GRAPH, client_app_id=client_app,
                               client_info=client_info, **kw)


def user_logged_in(record_id, user):
    rec = _base(record_id, "UserLoggedIn", 15, user, "2b7e9c4d-81f3-4a6e-b0d2-5c9f1e8a3d74", 0,
                "AzureActiveDirectory", "203.0.113.45")
    rec.update({
        "ResultStatus": "Success",
        "ObjectId": APP_EXCHANGE,
        "AzureActiveDirectoryEventType": 1,
        "ExtendedProperties": [
            {"Name": "ResultStatusDetail", "Value": "Success"},
            {"Name": "UserAgent", "Value": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/120.0.0.0"},
            {"Name": "RequestType", "Value": "OAuth2:Authorize"},
        ],
        "ApplicationId": APP_OUTLOOK_DESKTOP,
    })
    return rec


def admin_cmdlet(record_id, admin, operation="Set-Mailbox", identity="svcbackup@contoso.com"):
    rec = _base(record_id, operation, 1, admin, "10032001C0FFEE01", 2, "Exchange", "203.0.113.50:51234")
    rec.update({
        "ResultStatus": "True",
        "ObjectId": "EURPR07A123.prod.outlook.com/Microsoft Exchange Hosted Organizations/%s/%s" %
                    (ORG_NAME, identity.split("@")[0]),
        "AppId": "fb78d390-0c51-40cd-8e17-fdbfab77341b",
        "ClientAppId": "",
        "ExternalAccess": False,
        "OrganizationName": ORG_NAME,
        "Parameters": [
            {"Name": "Identity", "Value": identity},
            {"Name": "AuditEnabled", "Value": "True"},
        ],
    })
    return rec
