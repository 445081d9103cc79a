/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MAILBOX_MONITOR_CFG_H_INCLUDED
#define MAILBOX_MONITOR_CFG_H_INCLUDED

#include "cfg-parser.h"

extern CfgParser mailbox_monitor_parser;
extern CfgParser mailbox_suspicious_filter_parser;

CFG_PARSER_DECLARE_LEXER_BINDING(mailbox_monitor_, MAILBOX_MONITOR_, gpointer *)

#endif
