"""Builds the Python package `trainsim` with CMake (python/module.cmake) for the
interpreter running this script, and puts the data directory (models/,
topologies/, scenarios/, data/reference/) inside the package (trainsim/share),
so an installed package runs without the source tree. Use:
    pip install --no-build-isolation .
(Debian: python3-setuptools, python3-pybind11, pybind11-dev, python3-dev,
cmake, ninja-build and the library's -dev packages: tools/setup.sh installs them.)
    TRAINSIM_BUILD_DIR  an existing CMake build folder (configured with the Python package for
                        this interpreter) to build the module in, instead of a new one
    TRAINSIM_JOBS       parallel build jobs (default 2)
    TRAINSIM_CMAKE_ARGS extra configure arguments (e.g. -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
"""
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))
DATA = ["models", "topologies", "scenarios", os.path.join("data", "reference")]


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.environ.get("TRAINSIM_BUILD_DIR")
        if not build:  # a build folder of its own, configured for this interpreter
            build = os.path.join(os.path.abspath(self.build_temp), "cmake")
            os.makedirs(build, exist_ok=True)
            cfg = ["cmake", "-S", ROOT, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                   "-DTRAINSIM_PYTHON=ON", "-DTRAINSIM_BUILD_TESTS=OFF", "-DTRAINSIM_BUILD_BENCHMARKS=OFF",
                   f"-DPython3_EXECUTABLE={sys.executable}"]
            cfg += os.environ.get("TRAINSIM_CMAKE_ARGS", "").split()
            subprocess.check_call(cfg)
        subprocess.check_call(["cmake", "--build", build, "--target", "trainsim_python", "-j",
                               os.environ.get("TRAINSIM_JOBS", "2")])
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        built = [f for f in os.listdir(os.path.join(build, "python", "trainsim")) if f.startswith("_core")
                 and f.endswith(".so")]
        shutil.copyfile(os.path.join(build, "python", "trainsim", built[0]), target)
        share = os.path.join(os.path.dirname(target), "share")
        for d in DATA:
            shutil.copytree(os.path.join(ROOT, d), os.path.join(share, d), dirs_exist_ok=True)


setup(
    name="trainsim",
    version="0.1.0",
    description="discrete-event simulator of large-model training on GPU clusters",
    packages=["trainsim"],
    package_dir={"": "python"},
    package_data={"trainsim": ["*.pyi", "py.typed"]},
    ext_modules=[CMakeExtension("trainsim._core")],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    zip_safe=False,
)
