# Shared by scripts/setup.sh and scripts/test.sh: bring the pinned pnpm and the Debian
# packages the tests use (python3-numpy, python3-h5py: independent readers of our output).

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

# The pnpm version pinned in package.json's packageManager field.
pinned_pnpm() { node -p "require('./package.json').packageManager.split('@')[1]"; }

ensure_pnpm() {
  local want; want=$(pinned_pnpm)
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$want" ]; then return 0; fi
  echo "» installing pnpm@$want (pinned in package.json)"
  if npm install -g "pnpm@$want" --no-fund --no-audit --loglevel=error >/dev/null 2>&1 \
     && [ "$(pnpm --version 2>/dev/null)" = "$want" ]; then return 0; fi
  # No write access to npm's global prefix: install it inside the repository instead.
  npm install --prefix .tools "pnpm@$want" --no-fund --no-audit --loglevel=error >/dev/null
  export PATH="$PWD/.tools/node_modules/.bin:$PATH"
  [ "$(pnpm --version)" = "$want" ]
}

# Debian's python3 with numpy and h5py reads back what our writers write.
# apt_install "what it is for" PACKAGE...: install Debian packages as root (or through
# passwordless sudo); warn that the tests needing them are SKIPPED where that is not possible.
apt_install() {
  local why=$1; shift
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "» warning: cannot install $* (not root): $why will be SKIPPED" >&2
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "» warning: no apt-get to install $*: $why will be SKIPPED" >&2
    return 0
  fi
  echo "» installing Debian's $* ($why)"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null \
    || echo "» warning: could not install $*: $why will be SKIPPED" >&2
  return 0
}

ensure_python_deps() {
  /usr/bin/python3 -c 'import numpy, h5py' >/dev/null 2>&1 && return 0
  apt_install "tests that check output with NumPy/h5py" python3-numpy python3-h5py
}

# Debian's python3 needs python3-venv for `-m venv`.
ensure_venv_module() {
  python3 -m venv --help >/dev/null 2>&1 && return 0
  apt_install "virtualenvs for Keras/TensorFlow checks" python3-venv
}

# make_venv DIR "what it is" PIP_ARGS...: a fresh virtualenv at DIR with packages from the local
# wheel mirror; on failure it is removed and the tests that need it are SKIPPED, saying so.
make_venv() {
  local dir=$1 what=$2; shift 2
  rm -rf "$dir"
  ensure_venv_module
  python3 -m venv "$dir" \
    && PIP_EXTRA_INDEX_URL= "$dir/bin/pip" install -q --disable-pip-version-check "$@" >/dev/null 2>&1 \
    || { echo "» note: could not install $what from the local mirror: its tests will be SKIPPED" >&2; rm -rf "$dir"; }
  return 0
}

# Real Keras 3 (JAX backend) in a virtualenv outside the repository, when this machine's image
# carries a local wheel mirror (/opt/pypi); tests that load our Keras files into Keras itself
# find it through testkit's kerasPython() and are skipped, saying so, when it is absent.
KERAS_VENV="${TFW_KERAS_VENV:-${HOME:-/root}/.cache/tfweights/keras-venv}"
export TFW_KERAS_VENV="$KERAS_VENV"
ensure_keras_venv() {
  if [ -x "$KERAS_VENV/bin/python" ] && KERAS_BACKEND=jax "$KERAS_VENV/bin/python" -c 'import keras, jax' >/dev/null 2>&1; then return 0; fi
  if [ ! -d /opt/pypi/simple ]; then
    echo "» note: no local wheel mirror (/opt/pypi): tests that load our files into real Keras will be SKIPPED" >&2
    return 0
  fi
  echo "» installing Keras 3.15.1 + JAX from the local wheel mirror into $KERAS_VENV (independent checker)"
  make_venv "$KERAS_VENV" "Keras 3 + JAX" --index-url file:///opt/pypi/simple keras==3.15.1 jax==0.10.2 jaxlib==0.10.2 h5py
}

# Real TensorFlow 2.21 CPU (with its Keras 3.15 on the TF backend, h5py and safetensors) in a
# virtualenv outside the repository, from the machine's local wheel mirror. TensorFlow is the
# judge of what we write: tests find it through testkit's tfPython() and are skipped, saying so,
# when the mirror is absent. Without --no-index pip waits on an index it cannot reach.
TF_VENV="${TFW_TF_VENV:-${HOME:-/root}/.cache/tfweights/tf-venv}"
export TFW_TF_VENV="$TF_VENV"
ensure_tf_venv() {
  if [ -x "$TF_VENV/bin/python" ] && "$TF_VENV/bin/python" -c 'import tensorflow, keras, h5py, safetensors' >/dev/null 2>&1; then return 0; fi
  if [ ! -d /opt/pypi/files ]; then
    echo "» note: no local wheel mirror (/opt/pypi): tests that restore our files in TensorFlow will be SKIPPED" >&2
    return 0
  fi
  echo "» installing TensorFlow CPU 2.21 (+ Keras 3.15, h5py, safetensors) from the local wheel mirror into $TF_VENV (the judge of what we write)"
  local mirrors=(-f /opt/pypi/files)
  [ -d /opt/pypi-more/files ] && mirrors+=(-f /opt/pypi-more/files)
  make_venv "$TF_VENV" "TensorFlow" --no-index "${mirrors[@]}" tensorflow-cpu==2.21.0 h5py safetensors
}

# The TF-written corpus (packages/testkit/tf-corpus): each case script's output is cached under
# ~/.cache/tfweights/tf-corpus/<case>-<hash of the generator and that case>, so it is made once.
ensure_tf_corpus() {
  [ -x "$TF_VENV/bin/python" ] || return 0
  "$TF_VENV/bin/python" packages/testkit/tf-corpus/generate.py || echo "» warning: generating the TF corpus failed: tests that need it will fail" >&2
  return 0
}

# Debian's Chromium for apps/web's end-to-end tests (driven by playwright-core; Playwright's own
# browser download is not reachable here). Without apt or root the tests are SKIPPED, saying so.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  apt_install "apps/web's browser tests" chromium
}
