"""512-bit vectors on AVX-512 CPUs: when the kernels ask for them, when they leave numba alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from mobility_sim.kernels import numba_env

AVX512_HOST = "+avx2,+avx512f,+avx512bw,+fma,-sse4a"
AVX2_HOST = "+avx2,+fma,-avx512f,-sse4a"


def test_avx512_host_gets_its_own_features_plus_wide_vectors():
    features = numba_env.wide_vector_features(AVX512_HOST, {})
    assert features == AVX512_HOST + ",-prefer-256-bit"


def test_hosts_without_avx512_keep_numbas_default():
    assert numba_env.wide_vector_features(AVX2_HOST, {}) is None
    assert numba_env.wide_vector_features("", {}) is None


def test_an_existing_vector_width_flag_is_replaced_not_repeated():
    features = numba_env.wide_vector_features(AVX512_HOST + ",+prefer-256-bit", {})
    assert features.split(",").count("-prefer-256-bit") == 1
    assert "+prefer-256-bit" not in features.split(",")


def test_users_own_cpu_settings_and_the_off_switch_are_respected():
    for env in ({"NUMBA_CPU_NAME": "generic"}, {"NUMBA_CPU_FEATURES": "+avx2"},
                {numba_env.WIDE_VECTORS_ENV: "0"}):
        assert numba_env.wide_vector_features(AVX512_HOST, env) is None
    assert numba_env.wide_vector_features(AVX512_HOST, {numba_env.WIDE_VECTORS_ENV: "1"})


def test_importing_the_kernels_sets_the_features_numba_compiles_for():
    # a fresh interpreter: prepare() runs before numba is imported, so numba's config sees it
    probe = ("import json, llvmlite.binding as ll\n"
             "from mobility_sim.kernels import numba_env\n"
             "host = ll.get_host_cpu_features().flatten()\n"
             "import mobility_sim.kernels.fused\n"
             "import numba.core.config as config\n"
             "print(json.dumps([numba_env.wide_vector_features(host, {}), config.CPU_FEATURES]))")
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES", numba_env.WIDE_VECTORS_ENV)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                          check=True)
    expected, configured = json.loads(done.stdout.strip().splitlines()[-1])
    assert configured == expected  # None on a host without AVX-512: numba's default
