"""Shared helpers of the end-to-end suites: run the real syslog-ng daemon with the module.

Every suite is a standalone script:

    python3 tests/e2e/test_X.py --module-dir build/modules/syslog-ng   (or MBX_MODULE_DIR=...)

A Daemon writes its configuration into a fresh temporary directory, starts
/usr/sbin/syslog-ng in the foreground with absolute paths for everything
(persist file, pid file, control socket, module path), waits until its TCP
port(s) accept connections and its control socket answers, and on stop()
sends SIGTERM and checks that it exited on its own (exit status 0, not by a
signal, no assertion or crash text in its log).

Configuration texts use @PORT@, @PORT2@, ... @DIR@ placeholders, replaced
before the file is written (syslog-ng's own ${...} syntax is left alone).
"""

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SYSLOG_NG = "/usr/sbin/syslog-ng"
SYSLOG_NG_CTL = "/usr/sbin/syslog-ng-ctl"

# the largest message any suite sends (the blob suite), and then some
MAX_MSG = 67108864

HEADER = "@version: 3.38\n"

OPTIONS = "options { stats-level(2); log-msg-size(%d); };\n" % MAX_MSG


def _take_module_dir_arg():
    """Removes --module-dir DIR / --module-dir=DIR from sys.argv (unittest must not see it)."""
    value = None
    argv = [sys.argv[0]]
    i = 1
    while i < len(sys.argv):
        arg = sys.argv[i]
        if arg == "--module-dir" and i + 1 < len(sys.argv):
            value = sys.argv[i + 1]
            i += 2
            continue
        if arg.startswith("--module-dir="):
            value = arg.split("=", 1)[1]
            i += 1
            continue
        argv.append(arg)
        i += 1
    sys.argv[:] = argv
    return value


_MODULE_DIR = None


def module_dir():
    """The directory holding libmailbox-monitor.so: --module-dir, else $MBX_MODULE_DIR, else build/."""
    global _MODULE_DIR
    if _MODULE_DIR is None:
        d = _take_module_dir_arg() or os.environ.get("MBX_MODULE_DIR") or os.path.join(REPO, "build", "modules",
                                                                                        "syslog-ng")
        _MODULE_DIR = os.path.abspath(d)
    return _MODULE_DIR


def system_module_dir():
    try:
        out = subprocess.run(["pkg-config", "--variable=moduledir", "syslog-ng"], capture_output=True, text=True,
                             timeout=10)
        d = out.stdout.strip()
        if out.returncode == 0 and d:
            return d
    except (OSError, subprocess.TimeoutExpired):
        pass
    return "/usr/lib/syslog-ng/3.38"


def module_path():
    return "%s:%s" % (module_dir(), system_module_dir())


def main():
    """unittest.main() after taking --module-dir, checking that the module exists."""
    d = module_dir()
    if not os.path.exists(os.path.join(d, "libmailbox-monitor.so")):
        sys.stderr.write("libmailbox-monitor.so not found in %s (use --module-dir or MBX_MODULE_DIR)\n" % d)
        sys.exit(2)
    sys.stderr.write("module: %s/libmailbox-monitor.so\n" % d)
    unittest.main(verbosity=2)


def proc_status_kb(pid, key):
    """A /proc/PID/status figure in kB (VmRSS, VmHWM); 0 when absent."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """utime + stime of the process so far, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # after the command name, fields[0] is field 3 (state): utime is field 14, stime field 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def to_bytes(line):
    return line if isinstance(line, bytes) else line.encode("utf-8")


def send_lines(port, lines, chunk=1 << 20):
    """Sends @lines (str or bytes, without newlines) over one TCP connection, newline-terminated."""
    data = b"".join(to_bytes(l) + b"\n" for l in lines)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        for i in range(0, len(data), chunk):
            s.sendall(data[i:i + chunk])
        s.shutdown(socket.SHUT_WR)
        # wait for the daemon to close its side, so the data is known to be read
        s.settimeout(60)
        try:
            while s.recv(4096):
                pass
        except (socket.timeout, ConnectionResetError):
            pass


def read_lines(path):
    """Lines of a destination file, as bytes without the newline ([] when it does not exist)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    if not data:
        return []
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    except FileNotFoundError:
        return 0


class DaemonError(AssertionError):
    pass


class Daemon:
    """One syslog-ng process with its own directory, ports and control socket."""

    def __init__(self, config, n_ports=1, extra_args=(), name="e2e"):
        self.dir = tempfile.mkdtemp(prefix="mbx-%s-" % name)
        self.ports = [free_port() for _ in range(n_ports)]
        self.port = self.ports[0]
        text = config.replace("@DIR@", self.dir)
        if "@TWO_RULES@" in text:
            text = text.replace("@TWO_RULES@", two_rule_policy())
        for i, p in enumerate(self.ports):
            text = text.replace("@PORT%s@" % ("" if i == 0 else str(i + 1)), str(p))
        self.conf = os.path.join(self.dir, "syslog-ng.conf")
        with open(self.conf, "w") as f:
            f.write(text)
        self.ctl = os.path.join(self.dir, "ctl")
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.extra_args = list(extra_args)
        self.proc = None
        self.keep = os.environ.get("MBX_E2E_KEEP") == "1"

    def path(self, name):
        return os.path.join(self.dir, name)

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return ""
        text = data.decode("utf-8", "replace")
        if len(text) > 20000:
            text = "...\n" + text[-20000:]
        return text

    def fail(self, what):
        with open(self.conf) as f:
            conf = f.read()
        raise DaemonError("%s\n--- config %s ---\n%s\n--- daemon log ---\n%s" % (what, self.conf, conf, self.log()))

    def command(self):
        return [SYSLOG_NG, "-F", "-e", "-f", self.conf, "-R", self.path("persist"), "-p", self.path("pid"),
                "-c", self.ctl, "--module-path=%s" % module_path()] + self.extra_args

    def start(self, timeout=20):
        logf = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.command(), stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     cwd=self.dir)
        logf.close()
        deadline = time.monotonic() + timeout
        pending = list(self.ports)
        while pending:
            if self.proc.poll() is not None:
                self.fail("syslog-ng exited during startup with status %s" % self.proc.returncode)
            try:
                with socket.create_connection(("127.0.0.1", pending[0]), timeout=1):
                    pass
                pending.pop(0)
                continue
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.fail("port %d does not accept connections after %ds" % (pending[0], timeout))
            time.sleep(0.05)
        while True:
            r = self.ctl_run("stats", check=False)
            if r.returncode == 0:
                break
            if self.proc.poll() is not None:
                self.fail("syslog-ng exited during startup with status %s" % self.proc.returncode)
            if time.monotonic() > deadline:
                self.fail("control socket does not answer: %s" % r.stderr)
            time.sleep(0.05)
        return self

    def ctl_run(self, *args, check=True):
        r = subprocess.run([SYSLOG_NG_CTL] + list(args) + ["-c", self.ctl], capture_output=True, text=True,
                           timeout=30)
        if check and r.returncode != 0:
            self.fail("syslog-ng-ctl %s failed: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send(self, lines, port=None):
        if not self.alive():
            self.fail("daemon is not running before sending")
        send_lines(port or self.port, lines)

    def wait_files(self, expected, timeout=30, settle=0.5):
        """Waits until each file in {name: count} holds at least count lines, then a little longer
        so that extra (duplicated) lines would show; returns {name: [lines]}."""
        deadline = time.monotonic() + timeout
        while True:
            counts = {name: count_lines(self.path(name)) for name in expected}
            if all(counts[n] >= expected[n] for n in expected):
                break
            if not self.alive():
                self.fail("daemon died while waiting for output (status %s), have %s, want %s" %
                          (self.proc.returncode, counts, expected))
            if time.monotonic() > deadline:
                self.fail("timeout after %ds waiting for output: have %s, want %s" % (timeout, counts, expected))
            time.sleep(0.05)
        time.sleep(settle)
        return {name: read_lines(self.path(name)) for name in expected}

    def stats(self):
        """syslog-ng-ctl stats as {(SourceName, SourceId, SourceInstance, Type): int}."""
        out = self.ctl_run("stats").stdout
        result = {}
        for line in out.splitlines():
            parts = line.split(";")
            if len(parts) != 6 or parts[0] == "SourceName":
                continue
            try:
                result[(parts[0], parts[1], parts[2], parts[4])] = int(parts[5])
            except ValueError:
                continue
        return result

    def parser_counter(self, parser_id, name):
        """parser;<id>;<name>;a;value;N (and parser;<id>;;a;<name>;N for the builtin discarded)."""
        st = self.stats()
        if (("parser", parser_id, name, "value")) in st:
            return st[("parser", parser_id, name, "value")]
        return st.get(("parser", parser_id, "", name))

    def peak_rss_kb(self):
        """VmHWM in kB; None when absent, so that a bound checked against it cannot pass on a missing figure."""
        return proc_status_kb(self.proc.pid, "VmHWM") or None

    def stop(self, timeout=30):
        """SIGTERM, then checks the daemon exited cleanly; returns its log."""
        if self.proc is None:
            return ""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.fail("daemon did not exit within %ds of SIGTERM" % timeout)
        rc = self.proc.returncode
        log = self.log()
        if rc < 0:
            self.fail("daemon was killed by signal %d" % -rc)
        if rc != 0:
            self.fail("daemon exited with status %d" % rc)
        for bad in ("assertion", "Segmentation", "core dumped"):
            if bad.lower() in log.lower():
                self.fail("daemon log mentions %r" % bad)
        return log

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def syntax_check(config_text, extra_args=()):
    """Runs `syslog-ng -s` on @config_text; returns (exit status, output)."""
    d = tempfile.mkdtemp(prefix="mbx-syntax-")
    try:
        conf = os.path.join(d, "syslog-ng.conf")
        with open(conf, "w") as f:
            f.write(config_text)
        r = subprocess.run([SYSLOG_NG, "-s", "-f", conf, "--module-path=%s" % module_path()] + list(extra_args),
                           capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout + r.stderr
    finally:
        shutil.rmtree(d, ignore_errors=True)


def syntax_check_file(conf, extra_args=()):
    r = subprocess.run([SYSLOG_NG, "-s", "-f", os.path.abspath(conf), "--module-path=%s" % module_path()] +
                       list(extra_args), capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def network_source(name="s_net", port_placeholder="@PORT@", extra=""):
    return ('source %s { network(ip("127.0.0.1") port(%s) transport("tcp") flags(no-parse) log-msg-size(%d)%s); };\n'
            % (name, port_placeholder, MAX_MSG, (" " + extra) if extra else ""))


def file_destination(name, filename, template):
    return 'destination %s { file("@DIR@/%s" template("%s")); };\n' % (name, filename, template)


# the template most suites write: id, tags, rules, then the rest
TAB = "\\t"


def tsv_template(*fields):
    return TAB.join(fields) + "\\n"


def split_tsv(line):
    return line.decode("utf-8", "replace").split("\t")


def mbx_tags(tags_field):
    """The mailbox.* tags of a ${TAGS} value, as a set."""
    return {t for t in tags_field.split(",") if t.startswith("mailbox.")}


class DaemonTestCase(unittest.TestCase):
    """A TestCase that starts daemons through self.daemon(...) and cleans them up."""

    def setUp(self):
        self._daemons = []

    def tearDown(self):
        for d in self._daemons:
            d.cleanup()

    def daemon(self, config, **kw):
        d = Daemon(config, name=self.id().split(".")[-1], **kw)
        self._daemons.append(d)
        return d.start()


def message_id(message):
    """The Id of the audit record in a ${MESSAGE} column (None when it is not one record)."""
    import json
    try:
        value = json.loads(message)
    except (ValueError, RecursionError):
        return None
    return value.get("Id") if isinstance(value, dict) else None


class Row:
    """One output line written with ROW_TEMPLATE."""

    FIELDS = ("id", "tags", "rules", "reason", "operation", "score", "kind", "mailbox", "app_id", "error", "message")

    def __init__(self, line):
        parts = line.split(b"\t", len(self.FIELDS) - 1)
        if len(parts) != len(self.FIELDS):
            raise AssertionError("output line has %d columns, not %d: %r" % (len(parts), len(self.FIELDS), line[:300]))
        for name, value in zip(self.FIELDS[:-1], parts[:-1]):
            setattr(self, name, value.decode("utf-8", "replace"))
        self.raw_message = parts[-1]
        self.message = parts[-1].decode("utf-8", "replace")
        self.mbx_tags = mbx_tags(self.tags)
        self.record_id = message_id(self.raw_message)

    def __repr__(self):
        return "Row(id=%r, record_id=%r, tags=%r, rules=%r, error=%r, message=%r)" % (
            self.id, self.record_id, sorted(self.mbx_tags), self.rules, self.error, self.message[:120])


def row_template(prefix=".mbx.", message="${MESSAGE}"):
    """id, tags, rules, reason, operation, score, kind, mailbox, app_id, error, then the message."""
    p = prefix
    return tsv_template("${%sid}" % p, "${TAGS}", "${%srules}" % p, "${%sreason}" % p, "${%soperation}" % p,
                        "${%sscore}" % p, "${%skind}" % p, "${%smailbox}" % p, "${%sapp_id}" % p, "${%serror}" % p,
                        message)


ROW_TEMPLATE = row_template()


def rows(lines):
    return [Row(l) for l in lines]


# every rule id of the catalogue (modules/core/detector.c)
ALL_RULES = ("app-unapproved", "throttled", "app-first-seen", "volume-spike", "sync-unusual", "fanout", "search-burst",
             "search-keyword", "agent-scripted", "location-untrusted", "nonowner-access", "grant-mail-access",
             "off-hours")


def policy_file(only_rules=None, text=""):
    """A policy key-file in a fresh temporary directory: @text, plus, with @only_rules, every other rule disabled
    (for suites that test one mechanism and want exact rule sets).  Returns its path."""
    d = tempfile.mkdtemp(prefix="mbx-policy-")
    atexit.register(shutil.rmtree, d, True)
    body = text
    if only_rules is not None:
        for rule in ALL_RULES:
            if rule not in only_rules:
                body += "\n[rule:%s]\nenabled = false\n" % rule
    path = os.path.join(d, "policy.ini")
    with open(path, "w") as f:
        f.write(body)
    return path


_two_rules = []


def two_rule_policy():
    """The policy of suites that test a mechanism (routing, batches, threads, ...) with records built for the
    first two rules: app-unapproved and throttled only.  Configs say policy("@TWO_RULES@")."""
    if not _two_rules:
        _two_rules.append(policy_file(only_rules=("app-unapproved", "throttled")))
    return _two_rules[0]
