/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The core's GError domain.
 */
#include "mbx-error.h"

G_DEFINE_QUARK(mbx-error-quark, mbx_error)
