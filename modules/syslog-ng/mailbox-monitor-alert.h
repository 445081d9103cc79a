/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MAILBOX_MONITOR_ALERT_H_INCLUDED
#define MAILBOX_MONITOR_ALERT_H_INCLUDED

#include "template/function.h"

TEMPLATE_FUNCTION_DECLARE(tf_mailbox_alert);

#endif
