#!/usr/bin/env bash
# Typesets the evaluation set's library guide as a PDF with groff (Debian package `groff`: `apt-get install groff`).
# The PDF is committed; the tests and the bench read it and never run this script.
set -euo pipefail
cd "$(dirname "$0")/documents"
groff -ms -Tpdf -P-pa4 library.ms > library.pdf
