"""Another app host beside the stack's (a second backroomd on TCP with
the stack's config and some lines changed) and an nginx in front of a
list of upstream servers with the site's retry rules: for the scale-out
tests (test_hosts.py, test_replicas.py)."""
import os
import random
import re
import signal
import socket
import subprocess

from conftest import BACKROOMD, CONF, PREFIX

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DROP = ["listen", "listen_mode", "pid_file", "log_file", "workers",
        "host_name", "housekeeping_interval"]


def conf_lines(text, drop):
    return [l for l in text.splitlines()
            if not re.match(r"\s*(%s)\s*=" % "|".join(drop), l)]


def stack_socket():
    """The stack's own backroomd socket."""
    return re.search(r"^listen\s*=\s*(\S+)", open(CONF).read(),
                     re.M).group(1)


def free_port():
    """A port below the ephemeral range (32768-60999 here, where client
    sockets would take it), free when asked."""
    while True:
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


def start_host(tmp, name, extra="", workers=2):
    """backroomd as host `name` on 127.0.0.1:PORT; (Popen, port, log)."""
    port = free_port()
    keep = conf_lines(open(CONF).read(), DROP + re.findall(
        r"^\s*(\w+)\s*=", extra, re.M))
    conf = tmp / ("%s.conf" % name)
    log = tmp / ("%s.log" % name)
    conf.write_text("\n".join(keep) + "\nlisten = 127.0.0.1:%d\n"
                    "fastcgi_allow = 127.0.0.1\nhost_name = %s\n"
                    "workers = %d\nhousekeeping_interval = 0\n"
                    "log_file = %s\n%s\n" % (port, name, workers, log,
                                              extra))
    os.chmod(conf, 0o600)
    p = subprocess.Popen([BACKROOMD, "-c", str(conf)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    return p, port, log


def start_nginx(tmp, servers):
    """An nginx on 127.0.0.1:PORT with one upstream over servers (nginx
    `server` addresses); its base URL."""
    nport = free_port()
    main_nginx = open(os.path.join(PREFIX, "nginx.conf")).read()
    user = re.search(r"^user [^;]+;", main_nginx, re.M).group(0)
    os.makedirs(tmp / "t", mode=0o777, exist_ok=True)
    os.chmod(tmp / "t", 0o777)
    nconf = tmp / "nginx.conf"
    nconf.write_text("""%(user)s
worker_processes 1;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path %(tmp)s/t/body;
    fastcgi_temp_path %(tmp)s/t/fastcgi;
    proxy_temp_path %(tmp)s/t/proxy;
    uwsgi_temp_path %(tmp)s/t/uwsgi;
    scgi_temp_path %(tmp)s/t/scgi;
    upstream app {
%(servers)s
        keepalive 2;
    }
    server {
        listen 127.0.0.1:%(nport)d;
        location / {
            include %(root)s/conf/nginx/fastcgi_params;
            fastcgi_param HTTPS on;
            fastcgi_pass app;
        }
        fastcgi_keep_conn on;
        fastcgi_next_upstream error timeout;
        fastcgi_next_upstream_timeout 3s;
        fastcgi_connect_timeout 2s;
    }
}
""" % {"user": user, "tmp": tmp, "nport": nport, "root": ROOT,
       "servers": "\n".join("        server %s max_fails=3 "
                            "fail_timeout=10s;" % s for s in servers)})
    subprocess.run(["nginx", "-c", str(nconf), "-p", str(tmp)], check=True)
    return "http://127.0.0.1:%d" % nport


def stop(tmp, *hosts):
    """Stops the nginx in tmp and the hosts (Popen) still running."""
    try:
        os.kill(int(open(tmp / "nginx.pid").read()), signal.SIGQUIT)
    except (OSError, ValueError):
        pass
    for h in hosts:
        if h.poll() is None:
            os.killpg(h.pid, signal.SIGTERM)
            h.wait(timeout=30)
