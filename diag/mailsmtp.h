/* SPDX-License-Identifier: MIT */
/*
 * mailsmtp.h - a `system mail` entry (config/mail.h) turned into what the
 * SMTP library needs: shared by the mail-server test and the mail daemon,
 * so that both connect the same way.
 */
#ifndef APPSH_DIAG_MAILSMTP_H
#define APPSH_DIAG_MAILSMTP_H

#include "config/mail.h"
#include "smtp/smtp.h"

/* Fills the server, security, TLS, authentication and credential fields of
 * cfg (pointers into e, which must outlive the session). */
void diag_mail_smtp(const struct config_mail *e, struct smtp_config *cfg);

#endif
