"""Builders for every record shape the generator writes.

Management Activity API (unified audit log) records follow audit-records.md field by field:
CreationTime without zone, Id GUID, RecordType int, Name/Value lists with string values, AAD
operation names with their trailing period. Azure Monitor / Event Hub records (sign-in logs and
Microsoft Graph activity logs) use the camelCase `properties` shape of diagnostic-setting exports.
"""

import json

from common import iso7, iso7_offset, ual_time
import networks
from tenant import APP_EXO, APP_EXO_PS, APP_GRAPH, FIRST_PARTY

EXCHANGE_BUILD = "15.20.8293.000"
SYSTEM_ACTOR = "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)"


def ual_base(t, ts, rid, operation, record_type, user_id, user_key, user_type, workload, client_ip, result="Succeeded"):
    return {
        "CreationTime": ual_time(ts),
        "Id": rid,
        "Operation": operation,
        "OrganizationId": t.org_id,
        "RecordType": record_type,
        "ResultStatus": result,
        "UserKey": user_key,
        "UserType": user_type,
        "Version": 1,
        "Workload": workload,
        "ClientIP": client_ip,
        "UserId": user_id,
    }


def app_access_context(client_app_id, issued_ts, uti, session=None, api_id=None):
    """AppAccessContext: the token/session join keys to Entra sign-ins."""
    ctx = {}
    if session:
        ctx["AADSessionId"] = session
    if api_id:
        ctx["APIId"] = api_id
    ctx["ClientAppId"] = client_app_id
    ctx["IssuedAtTime"] = ual_time(issued_ts)
    ctx["UniqueTokenId"] = uti
    return ctx


def mailbox_common(rec, mbx, t, client_info, ip_address, app_id, client_app_id, logon_type, logon_sid, session_id,
                   aac, external=False):
    rec["AppAccessContext"] = aac if aac is not None else {}
    rec["AppId"] = app_id
    rec["ClientAppId"] = client_app_id
    rec["ClientIPAddress"] = ip_address
    rec["ClientInfoString"] = client_info
    rec["ExternalAccess"] = external
    rec["InternalLogonType"] = 0
    rec["LogonType"] = logon_type
    rec["LogonUserSid"] = logon_sid
    rec["MailboxGuid"] = mbx.guid
    rec["MailboxOwnerSid"] = mbx.sid
    rec["MailboxOwnerUPN"] = mbx.upn
    rec["OrganizationName"] = t.org_name
    rec["OriginatingServer"] = "%s (%s)\r\n" % (mbx.server, EXCHANGE_BUILD)
    rec["SessionId"] = session_id
    return rec


def mail_items_accessed(t, ts, rid, mbx, user_id, user_key, user_type, logon_type, client_info, ip, app_id,
                        client_app_id, session_id, access, folders, op_count, aac=None, throttled="False",
                        logon_sid=None, actor_info=None, ip_address=None, desktop=None, token_oid=None):
    """RecordType 50 MailItemsAccessed. `folders` is a list of {Id, Path[, FolderItems]} dicts."""
    rec = ual_base(t, ts, rid, "MailItemsAccessed", 50, user_id, user_key, user_type, "Exchange", ip)
    if actor_info:
        rec["ActorInfoString"] = actor_info
    mailbox_common(rec, mbx, t, client_info, ip_address or ip, app_id, client_app_id, logon_type,
                   logon_sid or mbx.sid, session_id, aac)
    if desktop:
        rec["ClientProcessName"] = "OUTLOOK.EXE"
        rec["ClientVersion"] = desktop
    rec["OperationProperties"] = [{"Name": "MailAccessType", "Value": access},
                                  {"Name": "IsThrottled", "Value": throttled}]
    if token_oid:
        rec["TokenObjectId"] = token_oid
        rec["TokenTenantId"] = t.org_id
    rec["OperationCount"] = op_count
    rec["Folders"] = folders
    return rec


def search_query(t, ts, rid, mbx, user_id, user_key, client_info, ip, app_id, session_id, query, source, aac=None,
                 logon_type=0):
    """RecordType 101 SearchQueryInitiatedExchange (only for mailboxes with SearchQueryInitiated audited)."""
    rec = ual_base(t, ts, rid, "SearchQueryInitiatedExchange", 101, user_id, user_key, 0, "Exchange", ip)
    mailbox_common(rec, mbx, t, client_info, ip, app_id, "", logon_type, mbx.sid, session_id, aac)
    rec["QueryText"] = query
    rec["QuerySource"] = source
    rec["ScenarioName"] = "Search" if source != "OWA" else "OwaMailSearch"
    return rec


def mailbox_login(t, ts, rid, mbx, user_id, user_key, client_info, ip, app_id, session_id, logon_type=0):
    rec = ual_base(t, ts, rid, "MailboxLogin", 2, user_id, user_key, 0, "Exchange", ip)
    mailbox_common(rec, mbx, t, client_info, ip, app_id, "", logon_type, mbx.sid, session_id, None)
    return rec


def send(t, ts, rid, mbx, user_id, user_key, client_info, ip, app_id, session_id, item, logon_type=0):
    """RecordType 2 ExchangeItem: Send (item = {Id, InternetMessageId, ParentFolder, SizeInBytes, Subject})."""
    rec = ual_base(t, ts, rid, "Send", 2, user_id, user_key, 0, "Exchange", ip)
    mailbox_common(rec, mbx, t, client_info, ip, app_id, "", logon_type, mbx.sid, session_id, None)
    rec["Item"] = item
    return rec


def move_to_deleted(t, ts, rid, mbx, user_id, user_key, client_info, ip, app_id, session_id, folder, items,
                    deleted_folder, logon_type=0):
    """RecordType 3 ExchangeItemGroup: MoveToDeletedItems."""
    rec = ual_base(t, ts, rid, "MoveToDeletedItems", 3, user_id, user_key, 0, "Exchange", ip)
    mailbox_common(rec, mbx, t, client_info, ip, app_id, "", logon_type, mbx.sid, session_id, None)
    rec["AffectedItems"] = items
    rec["CrossMailboxOperation"] = False
    rec["DestFolder"] = deleted_folder
    rec["Folder"] = folder
    return rec


def cmdlet(t, ts, rid, operation, actor_upn, actor_key, params, object_id, ip, session_id, user_type=2,
           app_id=APP_EXO_PS, record_type=1, workload="Exchange", result="True", external=False):
    """RecordType 1 ExchangeAdmin (or 18 for Security & Compliance cmdlets)."""
    rec = ual_base(t, ts, rid, operation, record_type, actor_upn, actor_key, user_type, workload, ip, result)
    rec["AppId"] = app_id
    rec["ClientAppId"] = ""
    rec["ExternalAccess"] = external
    rec["ObjectId"] = object_id
    rec["OrganizationName"] = t.org_name
    rec["OriginatingServer"] = "%s (%s)\r\n" % (t.region.replace("NAMPR", "SN6PR"), EXCHANGE_BUILD)
    rec["Parameters"] = [{"Name": n, "Value": v} for n, v in params]
    rec["SessionId"] = session_id
    return rec


def mailbox_object_id(t, mbx_alias):
    return "NAMPR%s.prod.outlook.com/Microsoft Exchange Hosted Organizations/%s/%s" % (
        t.region[5:], t.org_name, mbx_alias)


# --- Entra ID (AzureActiveDirectory workload) in the Management API ------------------------------

def aad_audit(t, ts, rid, operation, actor_upn, actor_oid, actor_puid, targets, modified, extended, object_id,
              user_type=0, ip=None, correlation=None):
    rec = ual_base(t, ts, rid, operation, 8, actor_upn, actor_puid + "@" + t.domain, user_type,
                   "AzureActiveDirectory", ip, "Success")
    if ip is None:
        del rec["ClientIP"]
    rec["ObjectId"] = object_id
    rec["AzureActiveDirectoryEventType"] = 1
    rec["ExtendedProperties"] = [{"Name": n, "Value": v} for n, v in extended]
    rec["ModifiedProperties"] = [{"Name": n, "NewValue": nv, "OldValue": ov} for n, nv, ov in modified]
    rec["Actor"] = [{"ID": actor_upn, "Type": 5}, {"ID": actor_puid, "Type": 3}, {"ID": actor_oid, "Type": 2},
                    {"ID": "User_" + actor_oid, "Type": 2}, {"ID": "User", "Type": 2}]
    rec["ActorContextId"] = t.org_id
    rec["ActorIpAddress"] = ip or ""
    rec["InterSystemsId"] = correlation or rid
    rec["IntraSystemId"] = rid
    rec["SupportTicketId"] = ""
    rec["Target"] = targets
    rec["TargetContextId"] = t.org_id
    return rec


def sp_targets(sp_id, app_id, name):
    return [{"ID": "ServicePrincipal_" + sp_id, "Type": 2}, {"ID": sp_id, "Type": 2},
            {"ID": "ServicePrincipal", "Type": 2}, {"ID": name, "Type": 1}, {"ID": app_id, "Type": 2},
            {"ID": app_id, "Type": 4}]


def additional_details(user_agent, app_id):
    return json.dumps({"User-Agent": user_agent, "AppId": app_id}, separators=(",", ":"))


def consent(t, ts, rid, actor, app, scopes, admin, app_only, on_behalf_all, user_agent, ip, correlation,
            grant_id, resource_sp):
    """'Consent to application.' — NewValue index 0 is IsAdminConsent and index 4 the permissions text."""
    ctype = "AllPrincipals" if on_behalf_all else "Principal"
    principal = "" if on_behalf_all else actor.oid
    perms = ("[] => [[Id: %s, ClientId: %s, PrincipalId: %s, ResourceId: %s, ConsentType: %s, Scope:  %s, "
             "CreatedDateTime: , LastModifiedDateTime ]]; " % (grant_id, app.sp_id, principal, resource_sp, ctype,
                                                                scopes))
    modified = [("ConsentContext.IsAdminConsent", str(admin), ""),
                ("ConsentContext.IsAppOnly", str(app_only), ""),
                ("ConsentContext.OnBehalfOfAll", str(on_behalf_all), ""),
                ("ConsentContext.Tags", "WindowsAzureActiveDirectoryIntegratedApp", ""),
                ("ConsentAction.Permissions", perms, ""),
                ("TargetId.ServicePrincipalNames", app.app_id, "")]
    extended = [("additionalDetails", additional_details(user_agent, app.app_id)),
                ("extendedAuditEventCategory", "ServicePrincipal")]
    return aad_audit(t, ts, rid, "Consent to application.", actor.upn, actor.oid, actor.puid,
                     sp_targets(app.sp_id, app.app_id, app.name), modified, extended, app.sp_id, ip=ip,
                     correlation=correlation)


def app_role_assignment(t, ts, rid, actor, app, role_value, role_id, resource_name, resource_app, resource_sp,
                        user_agent, correlation):
    modified = [("AppRole.Id", role_id, ""), ("AppRole.Value", role_value, ""),
                ("AppRole.DisplayName", role_value.replace("_", " "), ""),
                ("AppRoleAssignment.CreatedDateTime", iso7(ts), ""),
                ("AppRoleAssignment.LastModifiedDateTime", iso7(ts), ""),
                ("ServicePrincipal.ObjectID", resource_sp, ""),
                ("ServicePrincipal.DisplayName", resource_name, ""),
                ("ServicePrincipal.AppId", resource_app, ""),
                ("ServicePrincipal.Name", resource_app, ""),
                ("TargetId.ServicePrincipalNames", app.app_id, "")]
    extended = [("additionalDetails", additional_details(user_agent, app.app_id)),
                ("extendedAuditEventCategory", "ServicePrincipal")]
    return aad_audit(t, ts, rid, "Add app role assignment to service principal.", actor.upn, actor.oid,
                     actor.puid, sp_targets(resource_sp, resource_app, resource_name), modified, extended,
                     resource_sp, correlation=correlation)


def delegated_grant(t, ts, rid, actor, app, scopes, all_principals, user_agent, correlation, resource_sp):
    modified = [("DelegatedPermissionGrant.Scope", scopes, ""),
                ("DelegatedPermissionGrant.ConsentType", "AllPrincipals" if all_principals else "Principal", ""),
                ("ServicePrincipal.ObjectID", app.sp_id, ""),
                ("TargetId.ServicePrincipalNames", app.app_id, "")]
    extended = [("additionalDetails", additional_details(user_agent, app.app_id)),
                ("extendedAuditEventCategory", "ServicePrincipal")]
    return aad_audit(t, ts, rid, "Add delegated permission grant.", actor.upn, actor.oid, actor.puid,
                     sp_targets(resource_sp, APP_GRAPH, "Microsoft Graph"), modified, extended, resource_sp,
                     correlation=correlation)


def required_resource_access(entries):
    """RequiredResourceAccess as the JSON-in-string with CRLF that 'Update application.' carries."""
    value = [{"ResourceAppId": res, "RequiredAppPermissions": [
        {"EntitlementId": e, "DirectAccessGrant": direct, "ImpersonationAccessGrants": []} for e, direct in perms],
        "EncodingVersion": 1} for res, perms in entries]
    return json.dumps(value, indent=2).replace("\n", "\r\n")


def update_application(t, ts, rid, actor, app, old_entries, new_entries, user_agent, correlation):
    modified = [("RequiredResourceAccess", required_resource_access(new_entries),
                 required_resource_access(old_entries)),
                ("Included Updated Properties", "RequiredResourceAccess", "")]
    extended = [("additionalDetails", additional_details(user_agent, app.app_id)),
                ("extendedAuditEventCategory", "Application")]
    targets = [{"ID": "Application_" + app.sp_id, "Type": 2}, {"ID": app.sp_id, "Type": 2},
               {"ID": "Application", "Type": 2}, {"ID": app.name, "Type": 1}, {"ID": app.app_id, "Type": 2}]
    return aad_audit(t, ts, rid, "Update application.", actor.upn, actor.oid, actor.puid, targets, modified,
                     extended, app.sp_id, correlation=correlation)


def sp_credentials(t, ts, rid, actor, app, key_id, key_type, user_agent, correlation):
    desc = "[KeyIdentifier=%s,KeyType=%s,KeyUsage=Verify,DisplayName=%s]" % (
        key_id, key_type, "svc" if key_type == "Password" else "CN=" + app.name)
    modified = [("KeyDescription", desc, "[]"), ("Included Updated Properties", "KeyDescription", "")]
    extended = [("additionalDetails", additional_details(user_agent, app.app_id)),
                ("extendedAuditEventCategory", "ServicePrincipal")]
    return aad_audit(t, ts, rid, "Add service principal credentials.", actor.upn, actor.oid, actor.puid,
                     sp_targets(app.sp_id, app.app_id, app.name), modified, extended, app.sp_id,
                     correlation=correlation)


def user_logged_in(t, ts, rid, upn, oid, app_id, resource, client_ip, user_agent, request_type, session_id, os_name,
                   browser, signin_id, correlation, failed=False):
    """RecordType 15 UserLoggedIn / UserLoginFailed (ResultStatus 'Success' even when failed)."""
    op = "UserLoginFailed" if failed else "UserLoggedIn"
    rec = ual_base(t, ts, rid, op, 15, upn, oid, 0, "AzureActiveDirectory", client_ip, "Success")
    rec["ObjectId"] = resource
    rec["AzureActiveDirectoryEventType"] = 1
    ext = [("ResultStatusDetail", "Success" if not failed else "UserError"), ("UserAgent", user_agent),
           ("UserAuthenticationMethod", "1"), ("RequestType", request_type)]
    if not failed:
        ext.append(("KeepMeSignedIn", "true"))
    rec["ExtendedProperties"] = [{"Name": n, "Value": v} for n, v in ext]
    rec["ModifiedProperties"] = []
    rec["Actor"] = [{"ID": oid, "Type": 0}, {"ID": upn, "Type": 5}]
    rec["ActorContextId"] = t.org_id
    rec["ActorIpAddress"] = client_ip
    rec["InterSystemsId"] = correlation
    rec["IntraSystemId"] = signin_id
    rec["SupportTicketId"] = ""
    rec["Target"] = [{"ID": resource, "Type": 0}]
    rec["TargetContextId"] = t.org_id
    rec["ApplicationId"] = app_id
    rec["DeviceProperties"] = [{"Name": "OS", "Value": os_name}, {"Name": "BrowserType", "Value": browser},
                               {"Name": "IsCompliantAndManaged", "Value": "False"},
                               {"Name": "SessionId", "Value": session_id}]
    rec["ErrorNumber"] = "50126" if failed else "0"
    if failed:
        rec["LogonError"] = "InvalidUserNameOrPassword"
    return rec


# --- Azure Monitor / Event Hub shapes ----------------------------------------------------------

RESOURCE_NAMES = {APP_EXO: "Office 365 Exchange Online", APP_GRAPH: "Microsoft Graph"}


def eh_signin(t, ts, category, rid, correlation, net, ip, app_id, app_name, resource, user_agent, session_id, uti,
              protocol="none", client_app="Browser", user=None, sp=None, error=0, credential="none",
              token_type="none", device=None, mfa=True):
    """SignInLogs / NonInteractiveUserSignInLogs / ServicePrincipalSignInLogs event-hub record."""
    row = networks.info(net)
    loc = networks.location(net)
    props = {"id": rid, "createdDateTime": iso7_offset(ts)}
    if user is not None:
        props.update({"userDisplayName": user.display, "userPrincipalName": user.upn, "userId": user.oid})
    else:
        props.update({"servicePrincipalId": sp.sp_id, "servicePrincipalName": sp.name})
    props.update({
        "appId": app_id,
        "appDisplayName": app_name,
        "ipAddress": ip,
        "status": {"errorCode": error} if not error else {"errorCode": error,
                                                          "failureReason": "Invalid username or password."},
        "clientAppUsed": client_app,
        "userAgent": user_agent,
        "deviceDetail": device or {"deviceId": "", "operatingSystem": "", "browser": ""},
        "location": loc,
        "correlationId": correlation,
        "conditionalAccessStatus": "notApplied" if sp is not None else "success",
        "authenticationRequirement": "multiFactorAuthentication" if mfa and sp is None else
                                     "singleFactorAuthentication",
        "isInteractive": category == "SignInLogs",
        "tokenIssuerType": "AzureAD",
        "riskDetail": "none",
        "riskLevelAggregated": "none",
        "riskLevelDuringSignIn": "none",
        "riskState": "none",
        "resourceDisplayName": RESOURCE_NAMES.get(resource, resource),
        "resourceId": resource,
        "authenticationProtocol": protocol,
        "clientCredentialType": credential,
        "incomingTokenType": token_type,
        "sessionId": session_id,
        "uniqueTokenIdentifier": uti,
        "autonomousSystemNumber": row[5],
        "userType": "Member" if user is not None else "ServicePrincipal",
        "crossTenantAccessType": "none",
        "homeTenantId": t.org_id,
        "resourceTenantId": t.org_id,
    })
    if sp is not None:
        props["servicePrincipalCredentialKeyId"] = ""
    return {
        "time": iso7(ts),
        "resourceId": "/tenants/%s/providers/Microsoft.aadiam" % t.org_id,
        "operationName": "Sign-in activity",
        "operationVersion": "1.0",
        "category": category,
        "tenantId": t.org_id,
        "resultType": str(error),
        "resultSignature": "None" if not error else "SUCCESS",
        "resultDescription": "" if not error else "Invalid username or password or Invalid on-premise username "
                                                  "or password.",
        "durationMs": 0,
        "callerIpAddress": ip,
        "correlationId": correlation,
        "identity": user.display if user is not None else sp.name,
        "Level": 4,
        "location": row[1],
        "properties": props,
    }


def graph_activity(t, ts, rid, ip, app_id, method, uri, user_agent, uti, iat_ts, session_key, session_id,
                   user_oid, sp_id, roles, scopes, idtyp, auth_method, size, duration, status=200,
                   client_request=None):
    """MicrosoftGraphActivityLogs event-hub record (clientAuthMethod and resultSignature are strings)."""
    props = {
        "timeGenerated": iso7(ts),
        "location": "West Europe",
        "requestId": rid,
        "operationId": rid,
        "clientRequestId": client_request or "",
        "apiVersion": "beta" if "/beta/" in uri else "v1.0",
        "requestMethod": method,
        "responseStatusCode": status,
        "tenantId": t.org_id,
        "durationMs": duration,
        "responseSizeBytes": size,
        "signInActivityId": uti,
        "roles": roles,
        "tokenIssuedAt": iso7(iat_ts),
        "appId": app_id,
        "userId": user_oid,
        "servicePrincipalId": sp_id,
        "scopes": scopes,
        "identityProvider": "https://sts.windows.net/%s/" % t.org_id,
        "clientAuthMethod": auth_method,
        "wids": "",
        "userAgent": user_agent,
        "requestUri": uri,
        "ipAddress": ip,
        "C_Idtyp": idtyp,
        "C_Iat": str(int(iat_ts)),
        "UserPrincipalObjectID": user_oid or "",
        "C_DeviceId": "",
    }
    if session_id is not None:
        props[session_key] = session_id
    return {
        "time": iso7(ts),
        "resourceId": "/TENANTS/%s/PROVIDERS/MICROSOFT.AADIAM" % t.org_id.upper(),
        "operationName": "Microsoft Graph Activity",
        "operationVersion": props["apiVersion"],
        "category": "MicrosoftGraphActivityLogs",
        "resultSignature": str(status),
        "durationMs": str(duration),
        "callerIpAddress": ip,
        "correlationId": rid,
        "level": "Informational",
        "location": "West Europe",
        "properties": props,
    }


def app_name(app_id, default=""):
    return FIRST_PARTY.get(app_id, default or app_id)



# --- SharePoint, OneDrive and Microsoft Teams (the non-mail share of the unified audit log) -------

def sharepoint_user_key(puid):
    """SharePoint and OneDrive write the user's PUID as a claims identity."""
    return "i:0h.f|membership|%s@live.com" % puid.lower()


def sharepoint_item(t, ts, rid, operation, record_type, workload, upn, puid, ip, user_agent, site_url, rel_url,
                    file_name, ext, site, web, list_id, item_id, correlation, item_type="File", app=None,
                    extra=None):
    """SharePoint Base + file operations schema: RecordType 6 SharePointFileOperation (file and folder
    activity, Workload SharePoint or OneDrive), 4 SharePoint (PageViewed) or 14 SharePointSharingOperation.
    ObjectId is SiteUrl + SourceRelativeUrl + "/" + SourceFileName, as the schema says."""
    rec = {
        "CreationTime": ual_time(ts),
        "Id": rid,
        "Operation": operation,
        "OrganizationId": t.org_id,
        "RecordType": record_type,
        "UserKey": sharepoint_user_key(puid),
        "UserType": 0,
        "Version": 1,
        "Workload": workload,
        "ClientIP": ip,
        "ObjectId": "%s%s/%s" % (site_url, rel_url, file_name),
        "UserId": upn,
    }
    if app is not None:
        rec["ApplicationDisplayName"] = app[1]
        rec["ApplicationId"] = app[0]
    rec["CorrelationId"] = correlation
    rec["EventSource"] = "SharePoint"
    rec["ItemType"] = item_type
    if list_id:
        rec["ListId"] = list_id
    if item_id:
        rec["ListItemUniqueId"] = item_id
    rec["Site"] = site
    rec["UserAgent"] = user_agent
    rec["WebId"] = web
    if extra:
        rec.update(extra)
    if ext is not None:
        rec["SourceFileExtension"] = ext
    rec["SiteUrl"] = site_url
    rec["SourceFileName"] = file_name
    rec["SourceRelativeUrl"] = rel_url
    return rec


def teams_record(t, ts, rid, operation, upn, oid, ip, fields=(), object_id=None):
    """Microsoft Teams schema, RecordType 25: UserKey is the user's Entra object id."""
    rec = {
        "CreationTime": ual_time(ts),
        "Id": rid,
        "Operation": operation,
        "OrganizationId": t.org_id,
        "RecordType": 25,
        "UserKey": oid,
        "UserType": 0,
        "Version": 1,
        "Workload": "MicrosoftTeams",
        "ClientIP": ip,
    }
    if object_id is not None:
        rec["ObjectId"] = object_id
    rec["UserId"] = upn
    for key, value in fields:
        rec[key] = value
    return rec
