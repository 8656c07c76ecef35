#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""smtp_server.py - a real SMTP server for the tests, with scripted faults.

Built on Debian's python3-aiosmtpd (1.4.x) and the ssl module.  Run it with
/usr/bin/python3: a pyenv/venv python does not see Debian's dist-packages.

It listens on --host (127.0.0.1) : --port (0 = a free port chosen by the
kernel), prints exactly one line "READY <port>" on stdout once bound, logs to
stderr, and stops on SIGTERM/SIGINT.  It never prints a password.

Modes (--mode):
  plain      no TLS; AUTH (if --auth) is offered in clear text
  starttls   STARTTLS offered; AUTH only after TLS unless --auth-before-tls
  smtps      TLS from the first byte (implicit TLS, port 465 style)
  --tls-on-plain-port is the same as --mode smtps (a port/mode mismatch peer)

Spool (--spool DIR): every accepted message is DIR/msg-<pid>-<n>.eml (the
content exactly as received, dot-unstuffed) with DIR/msg-<pid>-<n>.env beside
it (key=value lines: from, to, helo, auth, auth_mech, tls, cipher,
client_cert, mail_options, rcpt_options, conn, bytes, queue_id).  The .env is written
first and the .eml renamed into place, so an .eml is always complete.
DIR/transcript.log gets one line per event, "<conn> <plain|tls> <what>":
  C: line   a line from the client (AUTH data masked as ****; DATA content
            summarised).  "C+:" means more client bytes were already waiting,
            i.e. the client pipelined.
  S: line   a reply line sent
  connect / handshake <version> <cipher> cert=<subject>|- / tls-failed <reason> /
  auth <mech> user=<login> ok|failed / message <file> <bytes> / drop <stage> /
  close / warn AUTH in clear text
"""
import argparse
import asyncio
import asyncio.sslproto as sslproto
import base64
import binascii
import hmac
import itertools
import logging
import os
import signal
import ssl
import sys
import time
import warnings

from aiosmtpd.smtp import (MISSING, SMTP, AuthResult, LoginPassword,
                           TLSSetupException, _AuthMechAttr)

warnings.simplefilter("ignore", DeprecationWarning)  # TLSv1, AUTH API noise
log = logging.getLogger("smtp_server")

TLSV = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
        "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
STAGES_REJECT = ("ehlo", "helo", "auth", "mail", "rcpt", "data", "body")
STAGES_DROP = ("greeting", "ehlo", "starttls", "handshake", "auth", "mail",
               "rcpt", "data", "body", "quit")
# Enhanced status code detail and text used when --reject gives a bare code.
REJECT_TEXT = {
    "ehlo": ("5.1", "Error: command not recognized"),
    "helo": ("5.1", "Error: command not recognized"),
    "auth": ("7.8", "Authentication credentials invalid"),
    "mail": ("7.1", "<{arg}>: Sender address rejected: Access denied"),
    "rcpt": ("7.1", "<{arg}>: Relay access denied"),
    "data": ("5.1", "Error: no valid recipients"),
    "body": ("7.1", "Message content rejected"),
}
TEMP_TEXT = "Temporary failure, please try again later"
DEFAULT_INJECT = "250-injected.test\r\n250 AUTH PLAIN LOGIN\r\n"

conn_ids = itertools.count(1)
msg_ids = itertools.count(1)


class Transcript:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1, encoding="utf-8",
                      errors="backslashreplace") if path else None

    def write(self, conn, tls, what):
        if self.f:
            self.f.write("%s %s %s\n" % (conn, "tls" if tls else "plain", what))


transcript = Transcript(None)


def send_tls_alerts():
    """Python 3.11's asyncio drops the TLS alert OpenSSL queues when a
    server-side handshake fails (protocol_version, handshake_failure,
    unknown_ca, certificate_required) and just closes the socket, so clients
    would only see "unexpected eof".  Flush the alert first, as Postfix
    would, and note the failure in the transcript."""
    orig = getattr(sslproto.SSLProtocol, "_on_handshake_complete", None)
    if orig is None or not hasattr(sslproto.SSLProtocol, "_process_outgoing"):
        return  # another Python version: leave asyncio alone

    def patched(self, handshake_exc):
        if handshake_exc is not None:
            try:
                self._process_outgoing()
            except Exception:  # pragma: no cover - best effort
                pass
            exc = handshake_exc
            reason = (exc.__name__ if isinstance(exc, type)
                      else getattr(exc, "reason", None) or str(exc) or type(exc).__name__)
            conn = getattr(self._app_protocol, "conn", None) or "-"
            transcript.write(conn, False, "tls-failed %s" % reason)
            log.info("TLS handshake failed: %s", handshake_exc)
        return orig(self, handshake_exc)
    sslproto.SSLProtocol._on_handshake_complete = patched


def unescape(s):
    """\\r, \\n and \\t as typed on a command line (no other escapes)."""
    return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")


def make_reply(stage, reply, arg=""):
    """A bare code gets a stage-specific text; text may hold \\n for a
    multi-line reply.  Returns the list of lines to send."""
    reply = unescape(reply)
    if reply.isdigit() and len(reply) == 3:
        if reply == "421":
            return ["421 4.3.2 Service not available, closing transmission channel"]
        detail, text = REJECT_TEXT.get(stage, ("0.0", "Error"))
        if reply[0] == "4":
            detail, text = "3.0" if stage != "auth" else "7.0", TEMP_TEXT
        return ["%s %s.%s %s" % (reply, reply[0], detail, text.format(arg=arg))]
    return reply.replace("\r\n", "\n").split("\n")


def cert_subject(cert):
    if not cert:
        return None
    return ",".join("%s=%s" % (k, v) for rdn in cert.get("subject", ()) for k, v in rdn)


def cert_cn(cert):
    for rdn in (cert or {}).get("subject", ()):
        for k, v in rdn:
            if k == "commonName":
                return v
    return None


class PeerSMTP(SMTP):
    """aiosmtpd's SMTP with fault injection and a transcript."""

    def __init__(self, handler, opts, **kw):
        super().__init__(handler, **kw)
        self.o = opts
        self.conn = None
        self.tls_on = False
        self.in_data = False
        self.mask_next = False
        self.dropped = False
        self.auth_mech = None
        mechs = {"PLAIN": self.auth_PLAIN, "LOGIN": self.auth_LOGIN,
                 "CRAM-MD5": self.auth_CRAM__MD5, "EXTERNAL": self.auth_EXTERNAL}
        # Only the configured mechanisms; unknown names (NTLM, GSSAPI,
        # XOAUTH2, ...) are advertised but always fail.
        self._auth_methods = {m: _AuthMechAttr(mechs.get(m, self.auth_unsupported), True)
                              for m in opts.auth}

    # --- transcript plumbing -------------------------------------------
    def note(self, what):
        transcript.write(self.conn, self.tls_on, what)

    def _client_connected_cb(self, reader, writer):
        super()._client_connected_cb(reader, writer)
        # StreamReader.readline() calls self.readuntil(), so wrapping
        # readuntil alone sees every line exactly once.
        orig_until = reader.readuntil

        async def readuntil(separator=b"\n"):
            line = await orig_until(separator)
            self.saw(line, reader)
            return line
        reader.readuntil = readuntil

    def saw(self, line, reader):
        tag = "C+:" if getattr(reader, "_buffer", b"") else "C:"
        text = line.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
        if self.in_data:
            if line == b".\r\n":
                self.in_data = False
                self.note("%s . (end of data)" % tag)
            return
        if self.mask_next:
            self.mask_next = False
            text = "****"
        elif text[:5].upper() == "AUTH ":
            parts = text.split()
            text = " ".join(parts[:2]) + (" ****" if len(parts) > 2 else "")
            if not self.tls_on:
                self.note("warn AUTH in clear text")
        self.note("%s %s" % (tag, text))

    async def push(self, status):
        if self.dropped:
            return  # --disconnect: the reply is never sent
        text = status.decode("utf-8", "replace") if isinstance(status, bytes) else status
        lines = text.split("\r\n")
        for line in lines:
            self.note("S: %s" % line)
        if text.startswith("334"):
            self.mask_next = True
        elif text.startswith("354"):
            self.in_data = True
        await super().push(status)
        if lines[-1].startswith("421 ") and self.transport is not None:
            self.transport.close()

    async def push_lines(self, lines):
        for i, line in enumerate(lines):
            code, rest = line[:3], line[4:] if len(line) > 3 else ""
            sep = " " if i == len(lines) - 1 else "-"
            await self.push(code + sep + rest)

    def drop(self, stage):
        """--disconnect STAGE: close without a reply."""
        if self.o.disconnect != stage or self.transport is None:
            return False
        self.note("drop %s" % stage)
        self.dropped = True
        self.transport.close()
        return True

    def rejected(self, stage):
        return self.o.reject.get(stage)

    def tls_info(self):
        obj = None
        if self.session and self.session.ssl:
            obj = self.session.ssl.get("ssl_object")
        elif self.transport is not None:
            obj = self.transport.get_extra_info("ssl_object")
        if obj is None:
            return None, None, None
        return obj.version(), obj.cipher()[0], obj.getpeercert() or None

    # --- connection life cycle -----------------------------------------
    def connection_made(self, transport):
        first = self.conn is None
        if first:
            self.conn = next(conn_ids)
            self.tls_on = transport.get_extra_info("ssl_object") is not None
            self.note("connect %s:%s" % transport.get_extra_info("peername")[:2])
        super().connection_made(transport)
        if not first:
            self.tls_on = True  # STARTTLS handshake done
        if self.tls_on:
            ver, cipher, cert = self.tls_info()
            self.note("handshake %s %s cert=%s" % (ver, cipher, cert_subject(cert) or "-"))

    def connection_lost(self, error):
        self.note("close")
        super().connection_lost(error)

    async def _handle_client(self):
        o = self.o
        if o.banner_only:
            self.note("silent (banner-only)")
            await asyncio.get_running_loop().create_future()  # until closed
        if o.greeting_delay:
            await asyncio.sleep(o.greeting_delay)
        if self.drop("greeting"):
            return
        if o.greeting:
            await self.push_lines(o.greeting)
            # After a 554 greeting (RFC 5321 3.1) only QUIT is accepted.
            while self.transport is not None:
                line = await self._reader.readline()
                if not line:
                    return
                if line.strip().upper() == b"QUIT":
                    await self.push("221 2.0.0 Bye")
                    self.transport.close()
                    return
                await self.push("503 5.5.1 Error: no SMTP service here")
            return
        await super()._handle_client()

    # --- commands ------------------------------------------------------
    async def smtp_EHLO(self, hostname):
        if self.drop("ehlo"):
            return
        await super().smtp_EHLO(hostname)

    async def smtp_HELO(self, hostname):
        if self.drop("ehlo"):
            return
        await super().smtp_HELO(hostname)

    async def smtp_STARTTLS(self, arg):
        o = self.o
        if self.drop("starttls"):
            return
        if arg:
            return await self.push("501 Syntax: STARTTLS")
        if not self.tls_context or o.no_starttls or self.tls_on:
            return await self.push("502 5.5.1 Error: command not implemented")
        if o.refuse_starttls:
            return await self.push("454 4.7.0 TLS not available due to local problem")
        if o.disconnect == "handshake":
            await self.push("220 Ready to start TLS")
            self.drop("handshake")
            return
        if o.pipeline_after_starttls is not None:
            # CVE-2011-0411 peer: plaintext right behind the 220, one write
            extra = unescape(o.pipeline_after_starttls).encode()
            self.note("S: 220 Ready to start TLS")
            self.note("S: %r (injected after 220)" % extra)
            self._writer.write(b"220 Ready to start TLS\r\n" + extra)
            await self._writer.drain()
        else:
            await self.push("220 Ready to start TLS")
        # The upgrade itself, as in aiosmtpd's smtp_STARTTLS.
        waiter = self.loop.create_future()
        self._tls_protocol = sslproto.SSLProtocol(
            self.loop, self, self.tls_context, waiter, server_side=True)
        self._original_transport = self.transport
        self._original_transport.set_protocol(self._tls_protocol)
        self.transport = self._tls_protocol._app_transport
        self._tls_protocol.connection_made(self._original_transport)
        try:
            await waiter
        except asyncio.CancelledError:
            raise
        except Exception as error:
            raise TLSSetupException() from error

    async def smtp_AUTH(self, arg):
        if self.drop("auth"):
            return
        if not self._auth_methods:
            return await self.push("502 5.5.1 Error: command not implemented")
        rej = self.rejected("auth")
        if rej and self.session.host_name and not self.session.authenticated:
            return await self.push_lines(make_reply("auth", rej))
        was = self.session.authenticated
        await super().smtp_AUTH(arg)
        mech = (arg or "?").split()[0].upper()
        if self.session.authenticated and not was:
            self.auth_mech = mech
            self.note("auth %s user=%s ok" % (mech, self.login_name()))
        elif not self.session.authenticated:
            self.note("auth %s failed" % mech)

    def login_name(self):
        login = self.session.login_data
        if isinstance(login, bytes):
            return login.decode("utf-8", "backslashreplace")
        return str(login) if login else "-"

    async def smtp_MAIL(self, arg):
        if self.drop("mail"):
            return
        await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg):
        if self.drop("rcpt"):
            return
        await super().smtp_RCPT(arg)

    async def smtp_DATA(self, arg):
        if self.drop("data"):
            return
        rej = self.rejected("data")
        if rej and self.envelope.rcpt_tos and not arg:
            return await self.push_lines(make_reply("data", rej))
        await super().smtp_DATA(arg)

    async def smtp_QUIT(self, arg):
        if self.drop("quit"):
            return
        await super().smtp_QUIT(arg)

    # --- SASL mechanisms beyond aiosmtpd's PLAIN/LOGIN -------------------
    async def auth_CRAM__MD5(self, _, args):
        if len(args) > 1:
            await self.push("501 5.5.4 CRAM-MD5 takes no initial response")
            return AuthResult(success=False)
        challenge = ("<%d.%d@%s>" % (os.getpid(), time.time_ns(), self.hostname)).encode()
        resp = await self.challenge_auth(challenge)
        if resp is MISSING:
            return AuthResult(success=False)
        user, _, digest = resp.partition(b" ")
        want = hmac.new(self.o.password.encode(), challenge, "md5").hexdigest().encode()
        ok = (self.o.user is not None and user == self.o.user.encode()
              and hmac.compare_digest(digest.lower(), want))
        return AuthResult(success=ok, handled=False,
                          auth_data=LoginPassword(user, b""))

    async def auth_EXTERNAL(self, _, args):
        """RFC 4422 EXTERNAL: succeeds when TLS carried a verified client cert."""
        if len(args) > 1:
            resp = args[1].encode()
        else:
            await self.push("334 ")
            resp = (await self._reader.readline()).strip()
        if resp == b"*":
            await self.push("501 5.7.0 Auth aborted")
            return AuthResult(success=False)
        try:
            authz = b"" if resp == b"=" else base64.b64decode(resp, validate=True)
        except binascii.Error:
            await self.push("501 5.5.2 Can't decode base64")
            return AuthResult(success=False)
        _, _, cert = self.tls_info()
        cn = cert_cn(cert)
        ok = cn is not None and authz in (b"", cn.encode())
        return AuthResult(success=ok, handled=False,
                          auth_data=LoginPassword((cn or "").encode(), b""))

    async def auth_unsupported(self, _, args):
        return AuthResult(success=False, handled=False,
                          message="535 5.7.8 Authentication credentials invalid")


class Handler:
    def __init__(self, opts):
        self.o = opts

    async def handle_exception(self, error):
        # aiosmtpd would log a traceback; a failed STARTTLS handshake lands
        # here too (its reply is never sent, the connection is closed).
        log.info("session error: %s: %s", type(error).__name__, error)
        return "500 Error: (%s) %s" % (type(error).__name__, error)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        o = self.o
        rej = o.reject.get("ehlo")
        if rej:
            session.extended_smtp = False
            return multi(make_reply("ehlo", rej))
        session.host_name = hostname
        drop = {x.upper() for x in o.no_ext}
        if o.no_starttls:
            drop.add("STARTTLS")
        if not o.auth:
            drop.add("AUTH")
        if not o.size:
            drop.add("SIZE")
        keep = []
        for r in responses[1:-1]:   # between the greeting line and "250 HELP"
            if r[4:].split(" ")[0].upper() not in drop:
                keep.append(r[4:])
        for ext in ("PIPELINING", "ENHANCEDSTATUSCODES"):
            if ext not in drop:
                keep.append(ext)
        keep.extend(o.ext)
        lines = [responses[0][4:]] + keep
        return ["250%s%s" % ("-" if i < len(lines) - 1 else " ", l)
                for i, l in enumerate(lines)]

    async def handle_HELO(self, server, session, envelope, hostname):
        rej = self.o.reject.get("helo")
        if rej:
            return "\r\n".join(make_reply("helo", rej))
        session.host_name = hostname
        return "250 %s" % server.hostname

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        o = self.o
        if o.auth_require and not session.authenticated:
            _, _, cert = server.tls_info()
            if not (o.cert_auth and cert):
                return "530 5.7.0 Authentication required"
            server.note("auth certificate user=%s ok" % cert_cn(cert))
        rej = o.reject.get("mail")
        if rej:
            return "\r\n".join(multi(make_reply("mail", rej, address)))
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        rej = self.o.reject.get("rcpt")
        if rej:
            return "\r\n".join(multi(make_reply("rcpt", rej, address)))
        if address.lower().startswith("unknown@"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        o = self.o
        if server.drop("body"):
            return "250 2.0.0 dropped"   # never sent: the transport is closed
        rej = o.reject.get("body")
        if rej:
            return "\r\n".join(multi(make_reply("body", rej)))
        n = next(msg_ids)
        qid = "%04X%04X" % (os.getpid() & 0xFFFF, n)
        content = envelope.original_content or b""
        name = "msg-%d-%d" % (os.getpid(), n)
        if o.spool:
            ver, cipher, cert = server.tls_info()
            env = {
                "from": envelope.mail_from, "to": ",".join(envelope.rcpt_tos),
                "helo": session.host_name, "auth": server.login_name(),
                "auth_mech": server.auth_mech or "-",
                "tls": ver or "none", "cipher": cipher or "-",
                "client_cert": cert_subject(cert) or "-",
                "mail_options": " ".join(envelope.mail_options),
                "rcpt_options": " ".join(envelope.rcpt_options),
                "conn": server.conn, "bytes": len(content), "queue_id": qid,
            }
            base = os.path.join(o.spool, name)
            with open(base + ".env", "w", encoding="utf-8", errors="backslashreplace") as f:
                f.write("".join("%s=%s\n" % kv for kv in env.items()))
            with open(base + ".eml.tmp", "wb") as f:
                f.write(content)
            os.rename(base + ".eml.tmp", base + ".eml")
        server.note("message %s.eml %d" % (name, len(content)))
        log.info("queued %s from=%s to=%s bytes=%d", qid, envelope.mail_from,
                 envelope.rcpt_tos, len(content))
        return "250 2.0.0 Ok: queued as %s" % qid


def multi(lines):
    """Reply lines joined for a handler hook (aiosmtpd pushes one string)."""
    return [l[:3] + ("-" if i < len(lines) - 1 else " ") + l[4:]
            for i, l in enumerate(lines)]


def make_ctx(o):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(o.cert, o.key)
    ciphers = o.ciphers
    if not ciphers and o.tls_max in ("1.0", "1.1"):
        ciphers = "DEFAULT:@SECLEVEL=0"  # OpenSSL 3 refuses TLS<1.2 otherwise
    if ciphers:
        ctx.set_ciphers(ciphers)
    if o.tls_min:
        ctx.minimum_version = TLSV[o.tls_min]
    if o.tls_max:
        ctx.maximum_version = TLSV[o.tls_max]
    if o.client_cert != "none":
        ctx.load_verify_locations(cafile=o.client_ca)
        ctx.verify_mode = (ssl.CERT_REQUIRED if o.client_cert == "required"
                           else ssl.CERT_OPTIONAL)
    return ctx


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    a = p.add_argument
    a("--host", action="append", help="address to bind (repeatable; default 127.0.0.1)")
    a("--port", type=int, default=0, help="0 = any free port (see the READY line)")
    a("--mode", choices=("plain", "starttls", "smtps"), default="starttls")
    a("--tls-on-plain-port", action="store_true", help="same as --mode smtps")
    a("--hostname", default="mail.test", help="name in the greeting and EHLO")
    a("--pki", help="directory from certs.sh: default --cert/--key/--client-ca")
    a("--cert", help="server certificate (chain) PEM")
    a("--key", help="its key (default: --cert with .crt -> .key)")
    a("--auth", default="", help="mechanisms to offer, e.g. plain,login,cram-md5,"
      "external; others (ntlm, gssapi, xoauth2) are offered but always fail")
    a("--user"); a("--password")
    a("--auth-require", action="store_true", help="530 on MAIL until AUTH succeeded")
    a("--cert-auth", action="store_true",
      help="with --auth-require: a verified client certificate counts as AUTH")
    a("--auth-before-tls", action="store_true",
      help="starttls mode: offer AUTH before STARTTLS too")
    a("--require-tls", action="store_true",
      help="starttls mode: 530 for every command but EHLO/NOOP/QUIT until STARTTLS")
    a("--client-cert", choices=("none", "optional", "required"), default="none")
    a("--client-ca", help="CA file for client certificates (default PKI/ca.crt)")
    a("--tls-min", choices=TLSV); a("--tls-max", choices=TLSV)
    a("--ciphers", help="OpenSSL cipher string for TLS <= 1.2")
    a("--size", type=int, default=10485760, help="SIZE limit (0: none, not advertised)")
    a("--no-ext", action="append", default=[], metavar="KEYWORD",
      help="drop an EHLO keyword (PIPELINING, SIZE, 8BITMIME, SMTPUTF8, "
      "ENHANCEDSTATUSCODES, STARTTLS, AUTH)")
    a("--ext", action="append", default=[], metavar="LINE", help="add an EHLO line")
    a("--no-starttls", action="store_true", help="do not advertise STARTTLS (502 if sent)")
    a("--refuse-starttls", action="store_true", help="advertise STARTTLS, answer 454")
    a("--pipeline-after-starttls", nargs="?", const=DEFAULT_INJECT, metavar="BYTES",
      help="send BYTES (\\r\\n escapes) in the same write as the STARTTLS 220")
    a("--reject", nargs=2, action="append", default=[], metavar=("STAGE", "REPLY"),
      help="answer STAGE (%s) with REPLY: a code (550, 451, 421) or a full reply; "
      "\\n separates lines; 421 closes the connection" % "|".join(STAGES_REJECT))
    a("--disconnect", choices=STAGES_DROP,
      help="close the connection without a reply at this stage")
    a("--greeting", help="greeting instead of 220: a code (421, 554) or a full reply")
    a("--greeting-delay", type=float, default=0.0, metavar="SECONDS")
    a("--banner-only", action="store_true", help="accept TCP, never send anything")
    a("--spool", help="directory for messages and transcript.log")
    a("--timeout", type=float, default=300, help="idle timeout (s)")
    a("-v", "--verbose", action="store_true")
    o = p.parse_args(argv)

    if o.tls_on_plain_port:
        o.mode = "smtps"
    o.host = o.host or ["127.0.0.1"]
    if o.pki:
        o.cert = o.cert or os.path.join(o.pki, "server.crt")
        o.client_ca = o.client_ca or os.path.join(o.pki, "ca.crt")
    if o.cert and not o.key:
        o.key = o.cert[:-4] + ".key" if o.cert.endswith(".crt") else o.cert
    o.auth = [m.strip().upper() for m in o.auth.split(",") if m.strip()]
    if o.auth and {"PLAIN", "LOGIN", "CRAM-MD5"} & set(o.auth) and \
            (o.user is None or o.password is None):
        p.error("--auth %s needs --user and --password" % ",".join(o.auth))
    if o.mode != "plain" and not o.cert:
        p.error("--mode %s needs --cert or --pki" % o.mode)
    if o.client_cert != "none" and not o.client_ca:
        p.error("--client-cert %s needs --client-ca or --pki" % o.client_cert)
    rej = {}
    for stage, reply in o.reject:
        if stage not in STAGES_REJECT:
            p.error("--reject: unknown stage %r" % stage)
        rej[stage] = reply
    o.reject = rej
    if o.greeting:
        g = make_reply("greeting", o.greeting)
        if o.greeting.isdigit():
            texts = {"421": "4.3.2 %s Service not available, closing transmission channel",
                     "554": "5.3.2 %s No SMTP service here"}
            g = ["%s %s" % (o.greeting, texts.get(o.greeting, "%s Error") % o.hostname)]
        o.greeting = g
    o.ext = [unescape(e) for e in o.ext]
    return o


def main(argv):
    global transcript
    o = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if o.verbose else logging.INFO,
                        format="%(asctime)s smtp_server[%(process)d]: %(message)s",
                        stream=sys.stderr)
    # aiosmtpd's logger: one INFO line per command at best, warnings per AUTH
    logging.getLogger("mail.log").setLevel(logging.INFO if o.verbose else logging.ERROR)
    if o.spool:
        os.makedirs(o.spool, exist_ok=True)
        transcript = Transcript(os.path.join(o.spool, "transcript.log"))
    send_tls_alerts()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    ctx = make_ctx(o) if o.mode != "plain" and o.cert else None
    handler = Handler(o)
    authenticator = None
    if o.user is not None:
        def authenticator(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword) and data.login == o.user.encode()
                  and data.password == o.password.encode())
            return AuthResult(success=ok, handled=False, auth_data=data)

    def factory():
        return PeerSMTP(
            handler, o, hostname=o.hostname, ident="ESMTP appsh test peer",
            loop=loop, enable_SMTPUTF8="SMTPUTF8" not in {x.upper() for x in o.no_ext},
            data_size_limit=o.size or None, timeout=o.timeout,
            tls_context=ctx if o.mode == "starttls" else None,
            require_starttls=o.require_tls and o.mode == "starttls",
            auth_require_tls=o.mode == "starttls" and not o.auth_before_tls,
            authenticator=authenticator)

    servers, port = [], o.port
    for host in o.host:
        srv = loop.run_until_complete(loop.create_server(
            factory, host=host.strip("[]"), port=port,
            ssl=ctx if o.mode == "smtps" else None, reuse_address=True))
        port = srv.sockets[0].getsockname()[1]
        servers.append(srv)
    log.info("listening %s on %s port %d", o.mode, ",".join(o.host), port)

    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    sys.stdout.write("READY %d\n" % port)
    sys.stdout.flush()
    loop.run_until_complete(stop)
    for s in servers:
        s.close()
    log.info("stopped")
    logging.shutdown()
    sys.stdout.flush()
    os._exit(0)  # open sessions die with the process; no pending-task noise


if __name__ == "__main__":
    main(sys.argv[1:])
