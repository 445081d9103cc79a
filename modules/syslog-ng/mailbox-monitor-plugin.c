/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Module registration: libmailbox-monitor.so exports only module_info and
 * mailbox_monitor_module_init (hidden visibility everywhere else).
 */
#include "mailbox-monitor-cfg.h"
#include "mailbox-monitor-alert.h"
#include "plugin.h"
#include "plugin-types.h"

#define MBX_EXPORT __attribute__((visibility("default")))

static Plugin mailbox_monitor_plugins[] = {
  {
    .type = LL_CONTEXT_PARSER,
    .name = "mailbox-monitor",
    .parser = &mailbox_monitor_parser,
  },
  {
    .type = LL_CONTEXT_FILTER,
    .name = "mailbox-suspicious",
    .parser = &mailbox_suspicious_filter_parser,
  },
  TEMPLATE_FUNCTION_PLUGIN(tf_mailbox_alert, "mailbox-alert"),
};

MBX_EXPORT gboolean
mailbox_monitor_module_init(PluginContext *context, CfgArgs *args)
{
  plugin_register(context, mailbox_monitor_plugins, G_N_ELEMENTS(mailbox_monitor_plugins));
  return TRUE;
}

MBX_EXPORT const ModuleInfo module_info = {
  .canonical_name = "mailbox-monitor",
  .version = SYSLOG_NG_VERSION,
  .description = "Flags programmatic access to Microsoft 365 mailboxes in audit records (MITRE T1114.002)",
  .core_revision = SYSLOG_NG_SOURCE_REVISION,
  .plugins = mailbox_monitor_plugins,
  .plugins_len = G_N_ELEMENTS(mailbox_monitor_plugins),
};
