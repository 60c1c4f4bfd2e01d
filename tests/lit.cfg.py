# lit configuration of Loom's IR tests. Every `.mlir` file under tests/ is a
# test; tools resolve to this build's binaries and LLVM 19's FileCheck.
import os
import shutil
import sys

import lit.formats

config.name = "Loom"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test", ".loom"]
config.excludes = ["unit", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in", "mutate_inputs.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.loom_obj_root, "tests")

tool_dirs = [
    os.path.join(config.loom_obj_root, "tools", "loom-opt"),
    os.path.join(config.loom_obj_root, "tools", "loom"),
    config.llvm_tools_dir,
]
config.environment["PATH"] = os.pathsep.join(tool_dirs + [config.environment.get("PATH", os.environ["PATH"])])
config.substitutions.append(("FileCheck", config.filecheck))
config.substitutions.append(("%python", sys.executable))
# The loom binary by its path, for a test that runs it with another PATH.
config.substitutions.append(("%loom-bin", os.path.join(config.loom_obj_root, "tools", "loom", "loom")))
# The GoogleTest binaries, for a test that runs one under mpirun.
config.substitutions.append(("%loom-unit", os.path.join(config.loom_obj_root, "tests", "unit")))
# tests/backends/cpu/run_*.mlir: `loom-opt --loom-cpu-pipeline=kernel-abi=false`
# (the pipeline loom compile runs, registered in backends/cpu/Pipelines.cpp;
# no copy of it here), then this, which runs @main on the host.
config.substitutions.append(("%mlir-cpu-runner", "mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%s/libmlir_c_runner_utils.so,%s/libmlir_runner_utils.so" % ((os.path.join(config.llvm_tools_dir, "..", "lib"),) * 2)))
# Sanitizer builds: report the first error and fail the test. Tests that only
# measure numerics over long runs say `UNSUPPORTED: sanitizer` (the release
# preset runs them).
if getattr(config, "loom_sanitizer", ""):
    config.available_features.add("sanitizer")
# allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons the unused part of
# a slab when its inline code is compiled with ASan (ours, allocating an ODS
# attribute's storage), and libMLIR.so, built without ASan, then hands out
# bytes of that slab without unpoisoning them (StringAttr::get), which ASan
# reports as use-after-poison. Loom poisons nothing itself.
config.environment["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:allow_user_poisoning=0"
config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
# `REQUIRES: mknod`: the test makes a device node in its own directory (never
# touching a system one), which needs root (CI's containers run as root).
def _can_mknod():
    import stat
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        try:
            os.mknod(os.path.join(d, "full"), stat.S_IFCHR | 0o600, os.makedev(1, 7))
            return True
        except OSError:
            return False


if _can_mknod():
    config.available_features.add("mknod")
# `%if dot %{ ... %}`: Graphviz's dot is on PATH (scripts/install-deps.sh
# installs it; tests that lay out a graph skip those lines without it).
if shutil.which("dot", path=config.environment["PATH"]):
    config.available_features.add("dot")
# `REQUIRES: mpirun`: OpenMPI's mpirun is on PATH (scripts/install-deps.sh
# installs openmpi-bin) and the build has no sanitizer (OpenMPI's own
# allocations and threads make ASan's reports noise there). CI runs as root,
# which mpirun refuses unless told; two ranks on two cores oversubscribe.
if shutil.which("mpirun", path=config.environment["PATH"]) and not getattr(config, "loom_sanitizer", ""):
    config.available_features.add("mpirun")
# `REQUIRES: netns`: `ip netns add` works (iproute2, which
# scripts/install-deps.sh installs, as root): tests/e2e/two_hosts.py makes two
# network namespaces of its own to run 2 ranks as 2 hosts over TCP.
def _can_netns():
    import subprocess

    ip = shutil.which("ip", path=config.environment["PATH"] + ":/usr/sbin:/sbin")
    if not ip:
        return False
    name = "loom-lit-probe-%d" % os.getpid()
    try:
        subprocess.run([ip, "netns", "add", name], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    subprocess.run([ip, "netns", "delete", name], capture_output=True)
    return True


if _can_netns():
    config.available_features.add("netns")
config.environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
config.environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
config.environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
# `REQUIRES: sklearn` and `%sklearn-python`: Debian's python3 with the
# python3-sklearn package (scripts/install-deps.sh installs it), for tests
# that compute scikit-learn's figure in the same run.
def _sklearn_python():
    import subprocess

    for py in ("/usr/bin/python3", sys.executable):
        try:
            subprocess.run([py, "-c", "import sklearn"], check=True, capture_output=True)
            return py
        except (OSError, subprocess.CalledProcessError):
            pass
    return None


_py = _sklearn_python()
if _py:
    config.available_features.add("sklearn")
    config.substitutions.append(("%sklearn-python", _py))
