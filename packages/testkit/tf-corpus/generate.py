"""Make the TF-written test corpus: run each case script under real TensorFlow, cache its output.

Usage: generate.py [CASE ...]   (no argument: every case in cases/)

Each case in cases/<name>.py is run as `python cases/<name>.py OUT_DIR` with TensorFlow's logging
quieted. Its output lands in $TFW_TF_CORPUS (default ~/.cache/tfweights/tf-corpus) as
<name>-<hash>, where the hash covers this driver, common.py, the case script and the TF version,
so an edited case is made again and an unchanged one is reused. A case is made in a temporary
folder and renamed into place, so concurrent runs never see half a case.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
ROOT = os.environ.get("TFW_TF_CORPUS") or os.path.join(os.environ.get("HOME") or "/root", ".cache/tfweights/tf-corpus")


def tf_version():
    # Read from the installed metadata: importing TF here would cost seconds per run.
    from importlib.metadata import version
    return version("tensorflow-cpu")


def case_dir(name):
    h = hashlib.sha256()
    for path in (__file__, os.path.join(HERE, "common.py"), os.path.join(CASES, name + ".py")):
        with open(path, "rb") as f:
            h.update(f.read())
    h.update(tf_version().encode())
    return os.path.join(ROOT, f"{name}-{h.hexdigest()[:12]}")


def make(name):
    final = case_dir(name)
    if os.path.isfile(os.path.join(final, ".complete")):
        return final, None
    os.makedirs(ROOT, exist_ok=True)
    tmp = f"{final}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow", PYTHONHASHSEED="0",
               TF_ENABLE_ONEDNN_OPTS="0", CUDA_VISIBLE_DEVICES="", PYTHONPATH=HERE)
    started = time.time()
    r = subprocess.run([sys.executable, os.path.join(CASES, name + ".py"), tmp], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SystemExit(f"tf-corpus: case {name} failed (exit {r.returncode}):\n{r.stdout[-4000:]}")
    open(os.path.join(tmp, ".complete"), "w").close()
    try:
        os.rename(tmp, final)
    except OSError:  # another run finished the same case first: keep its copy
        shutil.rmtree(tmp, ignore_errors=True)
    # Older versions of this case are stale now.
    prefix = name + "-"
    for other in os.listdir(ROOT):
        full = os.path.join(ROOT, other)
        if other.startswith(prefix) and full != final and "-" not in other[len(prefix):]:
            shutil.rmtree(full, ignore_errors=True)
    return final, time.time() - started


def main(argv):
    names = argv or sorted(f[:-3] for f in os.listdir(CASES) if f.endswith(".py") and not f.startswith("_"))
    for name in names:
        path, took = make(name)
        print(f"tf-corpus: {name}: " + ("cached" if took is None else f"made in {took:.1f} s") + f" ({path})")


if __name__ == "__main__":
    main(sys.argv[1:])
