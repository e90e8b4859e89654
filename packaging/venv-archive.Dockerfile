# The Python 3.11 environment for EMR 7 and EMR Serverless (spark.archives=...#environment).
#
# It must be built on the OS and CPU of the target: Amazon Linux 2023, x86_64 or arm64 (the
# application's "architecture"). Python is built from source and copied into the venv, so the archive
# carries its own interpreter and standard library (the images' own python3 is not 3.11).
#
#   make package
#   docker build --platform linux/amd64 -f packaging/venv-archive.Dockerfile --output dist .   # or linux/arm64
#   -> dist/pyspark_venv.tar.gz
#
# Not built by the test suite (it needs docker and the network); see README "EMR Serverless".
FROM --platform=$TARGETPLATFORM amazonlinux:2023 AS build
ARG PYTHON_VERSION=3.11.11
RUN dnf install -y gcc make tar gzip xz openssl-devel bzip2-devel libffi-devel zlib-devel sqlite-devel \
    && curl -sSLO https://www.python.org/ftp/python/${PYTHON_VERSION}/Python-${PYTHON_VERSION}.tgz \
    && tar xzf Python-${PYTHON_VERSION}.tgz && cd Python-${PYTHON_VERSION} \
    && ./configure --prefix=/opt/python && make -j"$(nproc)" && make install
ENV VIRTUAL_ENV=/opt/venv
RUN /opt/python/bin/python3.11 -m venv --copies $VIRTUAL_ENV \
    && cp -r /opt/python/lib/python3.11/* $VIRTUAL_ENV/lib/python3.11/
COPY dist/manifest.json dist/*.whl /tmp/dist/
# pyspark comes with the runtime: install the wheel without dependencies, then the runtime requirements
# pinned in the manifest.
RUN $VIRTUAL_ENV/bin/pip install --no-cache-dir venv-pack \
    && $VIRTUAL_ENV/bin/pip install --no-cache-dir --no-deps /tmp/dist/*.whl \
    && $VIRTUAL_ENV/bin/python -c "import json; print('\n'.join(json.load(open('/tmp/dist/manifest.json'))['runtime_requirements']))" > /tmp/req.txt \
    && $VIRTUAL_ENV/bin/pip install --no-cache-dir -r /tmp/req.txt \
    && mkdir /output && $VIRTUAL_ENV/bin/venv-pack -f -o /output/pyspark_venv.tar.gz

FROM scratch
COPY --from=build /output/pyspark_venv.tar.gz /
