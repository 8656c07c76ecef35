#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The reference client of bench/smtp.sh: Python's smtplib sending COUNT
copies of a message, the way the anchors measured it
(../shared/anchors/smtp-bench/pysmtp.py).

  pysmtp.py --port P --count N --msg FILE [--tls none|implicit] \
            [--conn reuse|per-message] [--cafile CERT]

reuse        one session (EHLO once), MAIL/RCPT/DATA repeated, no RSET
per-message  connect (+ TLS) + EHLO + one transaction + QUIT per message
The certificate is verified (chain and IP/host name) whenever TLS is used.
Exit status 0 only if every message got a 2xx reply to its end of data.
"""
import argparse
import smtplib
import ssl
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--conn", choices=["reuse", "per-message"], default="reuse")
ap.add_argument("--tls", choices=["none", "implicit"], default="none")
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--count", type=int, required=True)
ap.add_argument("--msg", required=True)
ap.add_argument("--cafile")
ap.add_argument("--from", dest="frm", default="sender@example.test")
ap.add_argument("--to", default="rcpt@example.test")
a = ap.parse_args()

data = open(a.msg, "rb").read()
ctx = ssl.create_default_context(cafile=a.cafile) if a.tls != "none" else None
# An explicit EHLO name: smtplib's default (socket.getfqdn()) may wait on DNS.
LH = "bench.example.test"


def connect():
    if a.tls == "implicit":
        return smtplib.SMTP_SSL(a.host, a.port, local_hostname=LH, context=ctx, timeout=30)
    return smtplib.SMTP(a.host, a.port, local_hostname=LH, timeout=30)


ok = 0
if a.conn == "reuse":
    s = connect()
    for _ in range(a.count):
        s.sendmail(a.frm, [a.to], data)  # raises on any refusal
        ok += 1
    s.quit()
else:
    for _ in range(a.count):
        s = connect()
        s.sendmail(a.frm, [a.to], data)
        s.quit()
        ok += 1
print(f"sent {ok}/{a.count}", file=sys.stderr)
sys.exit(0 if ok == a.count else 1)
