"""Runs a command under mpirun on 2 "hosts": 2 network namespaces this
script makes, joined by a veth pair with addresses of their own (10.77.0.1
and 10.77.0.2, /24), so that the ranks reach each other over TCP only, as
on two machines. mpirun runs in the first; the hostfile names both
addresses, one slot each; OpenMPI starts its daemon on the second through
`plm_rsh_agent`, a script that runs the daemon's command in that namespace
(`ip netns exec`) where ssh would run it on another machine. MPI's traffic
goes over `--mca btl tcp,self` (no shared memory) on the test subnet
(btl_tcp_if_include, oob_tcp_if_include). The namespaces (and any process
left in them) are removed at the end, whatever happens.

usage: two_hosts.py WORKDIR COMMAND...  (runs mpirun -n 2 ... COMMAND;
       exits with its status)
"""
import os
import shutil
import signal
import subprocess
import sys

work, command = sys.argv[1], sys.argv[2:]
os.makedirs(work, exist_ok=True)
ip = shutil.which("ip") or next(
    (p for p in ("/usr/sbin/ip", "/sbin/ip") if os.path.exists(p)), None)
if not ip:
    sys.exit("two_hosts.py: no `ip` (iproute2)")
tag = str(os.getpid())
hosts = {"10.77.0.1": f"loom-{tag}-a", "10.77.0.2": f"loom-{tag}-b"}
(addr_a, ns_a), (addr_b, ns_b) = hosts.items()
made = []


def run(*args):
    subprocess.run([ip, *args], check=True)


def cleanup():
    for ns in made:
        # Whatever still runs there (a daemon mpirun left behind).
        pids = subprocess.run([ip, "netns", "pids", ns], capture_output=True,
                              text=True).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        subprocess.run([ip, "netns", "delete", ns], capture_output=True)


def stop(signum, frame):
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
status = 1
try:
    for ns in (ns_a, ns_b):
        run("netns", "add", ns)
        made.append(ns)
        run("-n", ns, "link", "set", "lo", "up")
    # The pair's ends are born in the namespaces: nothing touches the host's.
    veth_a, veth_b = f"lm{tag}a", f"lm{tag}b"
    run("link", "add", veth_a, "netns", ns_a, "type", "veth", "peer", "name",
        veth_b, "netns", ns_b)
    for ns, veth, addr in ((ns_a, veth_a, addr_a), (ns_b, veth_b, addr_b)):
        run("-n", ns, "addr", "add", addr + "/24", "dev", veth)
        run("-n", ns, "link", "set", veth, "up")
    hostfile = os.path.join(work, "hostfile")
    with open(hostfile, "w") as f:
        f.write(f"{addr_a} slots=1\n{addr_b} slots=1\n")
    # OpenMPI runs AGENT HOST COMMAND... (COMMAND is a shell command line,
    # as ssh gets it): here in HOST's namespace.
    agent = os.path.join(work, "netns-agent.sh")
    with open(agent, "w") as f:
        f.write("#!/bin/sh\nhost=$1\nshift\ncase \"$host\" in\n")
        for addr, ns in hosts.items():
            f.write(f"  {addr}) ns={ns} ;;\n")
        f.write("  *) echo \"netns-agent.sh: unknown host $host\" >&2; "
                "exit 1 ;;\nesac\n")
        f.write(f"exec {ip} netns exec \"$ns\" /bin/sh -c \"$*\"\n")
    os.chmod(agent, 0o755)
    subnet = "10.77.0.0/24"
    mpirun = [ip, "netns", "exec", ns_a, "mpirun", "-n", "2", "--hostfile",
              hostfile, "--display-map", "--mca", "plm_rsh_agent", agent,
              "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include",
              subnet, "--mca", "oob_tcp_if_include", subnet, *command]
    sys.stdout.flush()
    status = subprocess.run(mpirun, timeout=120).returncode
except subprocess.TimeoutExpired:
    print("two_hosts.py: mpirun did not finish within 120 s", file=sys.stderr)
finally:
    cleanup()
    listed = subprocess.run([ip, "netns", "list"], capture_output=True,
                            text=True).stdout.split()
    left = [ns for ns in made if ns in listed]
    if left:
        print(f"two_hosts.py: error: {', '.join(left)} still there",
              file=sys.stderr)
        status = 1
    elif made:
        print(f"two_hosts.py: removed the namespaces {' and '.join(made)}",
              file=sys.stderr)
sys.exit(status)
