/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Error domain of the core engine.  The core never logs: every failure is
 * reported to the caller as a GError in this domain, and the caller (the
 * syslog-ng adapter, a test, a tool) decides how to surface it.
 */
#ifndef MBX_ERROR_H_INCLUDED
#define MBX_ERROR_H_INCLUDED

#include <glib.h>

G_BEGIN_DECLS

#define MBX_ERROR (mbx_error_quark())

typedef enum
{
  MBX_ERROR_NOT_JSON,      /* the input holds no JSON value we can find */
  MBX_ERROR_MALFORMED,     /* JSON that does not parse (truncated, bad syntax, bad UTF-8) */
  MBX_ERROR_NOT_AUDIT,     /* valid JSON, but not an audit record shape we know */
  MBX_ERROR_TOO_LARGE,     /* the input is larger than the decoder accepts */
  MBX_ERROR_INVALID_OPTION /* a configuration value was rejected */
} MbxErrorCode;

GQuark mbx_error_quark(void);

G_END_DECLS

#endif
