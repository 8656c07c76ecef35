#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""bench.py - the SMTP client benchmark of bench/smtp.sh (run by it).

Starts, on 127.0.0.1 and free ports: two Postfix smtp-sinks (one counting,
one dumping every message to a file) and, in front of each, the
implicit-TLS relay smtpbench-tlsfront.  Then:

1. checks, before any timing, that every client in the comparison delivers
   what it should: a few messages each to the dumping sink, every dump file
   compared with the message sent (dot-stuffing undone), the sink's counters
   (-c) matching;
2. after one short untimed pass, runs ROUNDS rounds of the four
   comparisons, REPEAT steps per side of each (one for the connection per
   message), the two sides back to back, their order alternating; every
   step is checked again against the counting sink's message and session
   counters;
3. prints the medians, ratios and CPU per message, and writes
   OUT/smtp.tsv (every step), OUT/smtp.md (the table) and
   OUT/smtp-summary.tsv (rows for run-all.sh's summary).

Client CPU is user+system from wait4() (the client and all its children);
smtp-sink's and the TLS front's are utime+stime (+cutime+cstime for the
front, whose per-connection processes it reaps) deltas from /proc/PID/stat,
in clock ticks.

Exit status: 0 when everything ran and delivered (whether or not a target
was met), 1 otherwise.
"""
import argparse
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("--smtpbench", required=True)
ap.add_argument("--front", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--messages", type=int, default=1000)
ap.add_argument("--tls-messages", type=int, default=300)
ap.add_argument("--rounds", type=int, default=5)
ap.add_argument("--repeat", type=int, default=5,
                help="steps per round for the cases that take well under a second")
ap.add_argument("--verify-messages", type=int, default=20)
A = ap.parse_args()

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"  # Debian's, as the anchors used (3.11, OpenSSL 3.0)
FROM, TO, HELO = "sender@example.test", "rcpt@example.test", "bench.example.test"
HZ = os.sysconf("SC_CLK_TCK")
ROOT = os.geteuid() == 0
procs = []


def die(msg):
    print(f"bench: smtp: {msg}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    """Whether 127.0.0.1:port listens, from /proc/net/tcp (a test connect
    would count as a session at the sink)."""
    want = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as f:
        return any(l.split()[1] == want and l.split()[3] == "0A" for l in f.readlines()[1:])


def start(cmd, log, port):
    p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    procs.append(p)
    for _ in range(100):
        if listening(port):
            return p
        if p.poll() is not None:
            break
        time.sleep(0.05)
    die(f"{cmd[0]} did not start on port {port}: {open(log).read()[-500:]}")


def stop_all():
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()


def ticks(pid, children=False):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    # fields 14-17 of stat(5), counted from the state (field 3) at index 0
    t = int(f[11]) + int(f[12])
    return t + (int(f[13]) + int(f[14]) if children else 0)


class Sink:
    def __init__(self, scratch, name, dump=None):
        self.port = free_port()
        self.log = os.path.join(scratch, f"{name}.log")
        cmd = ["smtp-sink", "-c"]
        if ROOT:
            cmd += ["-u", "nobody"]  # required as root; drops privileges
        if dump:
            cmd += ["-d", os.path.join(dump, "m.")]
        # backlog 1000 as in the anchors; at most 256 sessions at once
        self.proc = start(cmd + [f"127.0.0.1:{self.port}", "1000"], self.log, self.port)

    def counts(self):
        """(sessions, messages) from the last -c counter line."""
        text = open(self.log, "rb").read().decode(errors="replace")
        last = [l for l in text.replace("\r", "\n").split("\n") if l.startswith("sess=")]
        if not last:
            return 0, 0
        kv = dict(x.split("=") for x in last[-1].split())
        return int(kv["sess"]), int(kv["mesg"])

    def settle(self, before, sessions, messages):
        """Waits until the counters moved by what a step should have sent."""
        want = (before[0] + sessions, before[1] + messages)
        for _ in range(60):
            now = self.counts()
            if now == want:
                return now
            time.sleep(0.05)
        return self.counts()


class Front:
    def __init__(self, scratch, name, backend, cert, key):
        self.port = free_port()
        self.proc = start([A.front, str(self.port), str(backend), cert, key],
                          os.path.join(scratch, f"{name}.log"), self.port)

    def idle(self):
        """Waits until every connection's process has ended and been reaped,
        so that its CPU is in the listener's cutime/cstime."""
        pid = self.proc.pid
        for _ in range(100):
            if not open(f"/proc/{pid}/task/{pid}/children").read().strip():
                return
            time.sleep(0.02)
        die("the TLS front still has connections open after a step")


def make_message(path):
    """Exactly 1024 bytes, CRLF, one body line starting with '.': the
    anchors' msg-1k.eml, so every client has to dot-stuff."""
    hdr = (f"From: <{FROM}>\r\nTo: <{TO}>\r\nSubject: bench 1k\r\n"
           "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
           "Message-ID: <bench-1k@example.test>\r\n\r\n")
    body = ".this line starts with a dot\r\n"
    left = 1024 - len(hdr) - len(body)
    while left > 0:
        n = min(70, left - 2)
        if left - (n + 2) == 1:
            n -= 1
        body += "x" * n + "\r\n"
        left -= n + 2
    data = (hdr + body).encode()
    assert len(data) == 1024
    open(path, "wb").write(data)
    return data


def run(cmd, log):
    """Runs cmd; returns (exit status, wall s, user s, sys s) of it and its
    descendants."""
    with open(log, "ab") as f:
        f.write(("$ " + " ".join(cmd) + "\n").encode())
        f.flush()
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=f, stderr=f, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, wall, ru.ru_utime, ru.ru_stime


# --- the comparisons -------------------------------------------------------
def cases(sink, front, cert, msg):
    sb = [A.smtpbench, "-f", msg, "--from", FROM, "--to", TO, "--helo", HELO, "-q"]
    src = ["smtp-source", "-d", "-F", msg, "-f", FROM, "-t", TO, "-M", HELO]
    py = [PY, os.path.join(HERE, "pysmtp.py"), "--msg", msg, "--from", FROM, "--to", TO]
    tls = ["-M", "smtps", "-C", cert]
    n, nt = A.messages, A.tls_messages
    return [
        dict(key="plain-1", reps=A.repeat, title="plain, 1 connection", n=n, target=1.0,
             ours=lambda c: (sb + ["-p", str(sink.port), "-n", str(c)], 1),
             ref_name="smtp-source -d",
             ref=lambda c: (src + ["-m", str(c), f"127.0.0.1:{sink.port}"], 1)),
        dict(key="plain-10", reps=A.repeat, title="plain, 10 connections", n=n, target=1.0,
             ours=lambda c: (sb + ["-p", str(sink.port), "-n", str(c), "-c", "10"], 10),
             ref_name="smtp-source -d -s 10",
             ref=lambda c: (src + ["-s", "10", "-m", str(c), f"127.0.0.1:{sink.port}"], 10)),
        dict(key="smtps-1", reps=A.repeat, title="SMTPS, 1 connection", n=n, target=2.0,
             ours=lambda c: (sb + tls + ["-p", str(front.port), "-n", str(c)], 1),
             ref_name="Python smtplib, 1 connection",
             ref=lambda c: (py + ["--tls", "implicit", "--cafile", cert, "--port",
                                  str(front.port), "--count", str(c)], 1)),
        dict(key="smtps-new", reps=1, title="SMTPS, new connection per message", n=nt, target=None,
             ours=lambda c: (sb + tls + ["-p", str(front.port), "-n", str(c), "-N"], c),
             ref_name="Python smtplib, connection per message",
             ref=lambda c: (py + ["--tls", "implicit", "--cafile", cert, "--port",
                                  str(front.port), "--count", str(c), "--conn",
                                  "per-message"], c)),
    ]


def verify(scratch, dump_sink, dump_front, dump_dir, cert, msg, data):
    """Each client, a few messages, to the dumping sink: count and content."""
    expect = data.decode().replace("\r\n", "\n").rstrip("\n")
    log = os.path.join(scratch, "verify.log")
    for c in cases(dump_sink, dump_front, cert, msg):
        for side in ("ours", "ref"):
            for f in os.listdir(dump_dir):
                os.unlink(os.path.join(dump_dir, f))
            cmd, sessions = c[side](A.verify_messages)
            before = dump_sink.counts()
            rc = run(cmd, log)[0]
            after = dump_sink.settle(before, sessions, A.verify_messages)
            who = f"{c['title']}, {'smtpbench' if side == 'ours' else c['ref_name']}"
            if rc != 0:
                die(f"check: {who} exited {rc}; see {log}")
            if after != (before[0] + sessions, before[1] + A.verify_messages):
                die(f"check: {who}: smtp-sink counted {after[0] - before[0]} sessions and "
                    f"{after[1] - before[1]} messages, not {sessions} and {A.verify_messages}")
            files = sorted(os.listdir(dump_dir))
            if len(files) != A.verify_messages:
                die(f"check: {who}: {len(files)} dump files, not {A.verify_messages}")
            for name in files:
                text = open(os.path.join(dump_dir, name), "rb").read().decode()
                head, sep, rest = text.partition("\nReceived: ")
                # the Received header smtp-sink adds is three lines long
                got = rest.split("\n", 3)[3].rstrip("\n") if sep else ""
                if f"X-Mail-Args: <{FROM}>" not in head or f"X-Rcpt-Args: <{TO}>" not in head:
                    die(f"check: {who}: wrong envelope in {name}")
                if got != expect:
                    die(f"check: {who}: {name} differs from the message sent")
            print(f"smtp: check: {who}: {A.verify_messages} messages in "
                  f"{sessions} session(s), each identical to the one sent")


def main():
    for tool in ("smtp-sink", "smtp-source", "openssl"):
        if not shutil.which(tool):
            die(f"{tool} is not installed (apt-get install postfix openssl)")
    os.makedirs(A.out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="appsh-smtp-bench.")
    os.chmod(scratch, 0o755)
    dump_dir = os.path.join(scratch, "dump")
    os.mkdir(dump_dir)
    if ROOT:
        shutil.chown(dump_dir, "nobody")
    else:
        os.chmod(dump_dir, 0o777)
    cert, key, msg = (os.path.join(scratch, f) for f in ("cert.pem", "key.pem", "msg-1k.eml"))
    # RSA 2048, like the anchors' certificate: the handshake costs the same
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data = make_message(msg)
    try:
        sink = Sink(scratch, "sink")
        front = Front(scratch, "front", sink.port, cert, key)
        dsink = Sink(scratch, "dump-sink", dump=dump_dir)
        dfront = Front(scratch, "dump-front", dsink.port, cert, key)
        verify(scratch, dsink, dfront, dump_dir, cert, msg, data)
        measure(scratch, sink, front, cert, msg)
    finally:
        stop_all()
        shutil.rmtree(scratch, ignore_errors=True)


def step(scratch, sink, front, c, side, count, rnd, rows):
    cmd, sessions = c[side](count)
    log = os.path.join(scratch, "steps.log")
    before = sink.counts()
    k0, f0 = ticks(sink.proc.pid), ticks(front.proc.pid, True)
    rc, wall, user, sys_ = run(cmd, log)
    after = sink.settle(before, sessions, count)
    front.idle()
    k1, f1 = ticks(sink.proc.pid), ticks(front.proc.pid, True)
    sess, mesg = after[0] - before[0], after[1] - before[1]
    who = "smtpbench" if side == "ours" else c["ref_name"]
    if rc != 0 or (sess, mesg) != (sessions, count):
        tail = open(log).read()[-800:]
        die(f"{c['title']}, {who}: exit {rc}, smtp-sink counted {sess} sessions and {mesg} "
            f"messages, not {sessions} and {count}:\n{tail}")
    row = dict(round=rnd, case=c["key"], side=side, client=who, count=count, delivered=mesg,
               sessions=sess, wall_s=wall, msg_per_s=mesg / wall,
               cpu_ms_msg=1000 * (user + sys_) / mesg, user_s=user, sys_s=sys_,
               sink_cpu_ms_msg=1000 * (k1 - k0) / HZ / mesg,
               front_cpu_ms_msg=1000 * (f1 - f0) / HZ / mesg if "smtps" in c["key"] else 0.0)
    rows.append(row)
    print(f"smtp: round {rnd} {c['title']:<36} {who:<40} {row['msg_per_s']:8.0f} msg/s "
          f"{row['cpu_ms_msg']:7.3f} ms CPU/msg", flush=True)


def measure(scratch, sink, front, cert, msg):
    all_cases = cases(sink, front, cert, msg)
    load0 = open("/proc/loadavg").read().split()[0]
    # one short untimed pass: caches, the sink's first sessions
    for c in all_cases:
        for side in ("ours", "ref"):
            step(scratch, sink, front, c, side, min(100, max(10, c["n"] // 10)), 0, [])
    rows = []
    for rnd in range(1, A.rounds + 1):
        for c in all_cases:
            for rep in range(c["reps"]):
                order = ("ours", "ref") if (rnd + rep) % 2 else ("ref", "ours")
                for side in order:
                    step(scratch, sink, front, c, side, c["n"], rnd, rows)
    load1 = open("/proc/loadavg").read().split()[0]

    cols = list(rows[0].keys())
    with open(os.path.join(A.out, "smtp.tsv"), "w") as f:
        f.write("\t".join(cols) + "\n")
        for r in rows:
            f.write("\t".join(f"{r[k]:.4f}" if isinstance(r[k], float) else str(r[k])
                              for k in cols) + "\n")

    def med(case, side, k):
        return statistics.median(r[k] for r in rows if r["case"] == case and r["side"] == side)

    def rng(case, side):
        v = [r["msg_per_s"] for r in rows if r["case"] == case and r["side"] == side]
        return f"{min(v):.0f}–{max(v):.0f}"

    cpu = open("/proc/cpuinfo").read().split("model name", 1)[1].split(":", 1)[1].split("\n")[0]
    lines = [
        f"SMTP client: {A.rounds} rounds, each {A.repeat} steps per side (1 for the "
        f"connection per message); {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} CPUs, {cpu.strip()}, Linux {platform.release()}, "
        f"load {load0} before, {load1} after",
        "",
        "| comparison | msgs | smtpbench msg/s (min–max) | reference | msg/s (min–max) | ratio "
        "| target | CPU ms/msg smtpbench | CPU ms/msg reference | CPU ratio | smtp-sink CPU ms/msg "
        "(ours / ref) | TLS front CPU ms/msg (ours / ref) |",
        "|---|---:|---:|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    summary = []
    for c in all_cases:
        k = c["key"]
        mo, mr = med(k, "ours", "msg_per_s"), med(k, "ref", "msg_per_s")
        co, cr = med(k, "ours", "cpu_ms_msg"), med(k, "ref", "cpu_ms_msg")
        ratio, cratio = mo / mr, co / cr
        if c["target"] is None:
            target, verdict = "(report)", "-"
        else:
            target = f"≥ {c['target']:.1f}×"
            verdict = "met" if ratio >= c["target"] else "MISSED"
        front = (f"{med(k, 'ours', 'front_cpu_ms_msg'):.2f} / {med(k, 'ref', 'front_cpu_ms_msg'):.2f}"
                 if "smtps" in k else "-")
        lines.append(
            f"| {c['title']} | {c['n']} | {mo:.0f} ({rng(k, 'ours')}) | {c['ref_name']} | "
            f"{mr:.0f} ({rng(k, 'ref')}) | {ratio:.2f}× | {target} {verdict} | {co:.3f} | "
            f"{cr:.3f} | {cratio:.2f}× | {med(k, 'ours', 'sink_cpu_ms_msg'):.2f} / "
            f"{med(k, 'ref', 'sink_cpu_ms_msg'):.2f} | {front} |")
        summary.append([f"SMTP {c['title']} vs {c['ref_name']}, msg/s", f"{mo:.0f}/s",
                        f"{mr:.0f}/s", f"{ratio:.2f}x", f"{cratio:.2f}x",
                        target.replace("≥", ">=").replace("×", "x"), verdict])
    lines += ["", "Ratios are of medians (smtpbench / reference); CPU is user+system of the "
              "client per message delivered, the CPU ratio smtpbench / reference (lower is "
              "less CPU)."]
    text = "\n".join(lines) + "\n"
    print()
    print(text, end="")
    open(os.path.join(A.out, "smtp.md"), "w").write(text)
    with open(os.path.join(A.out, "smtp-summary.tsv"), "w") as f:
        for s in summary:
            f.write("\t".join(s) + "\n")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
