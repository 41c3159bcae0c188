#!/usr/bin/env bash
# The User-Agent the nightly job crawls with, built from the contact in $CONTACT (a URL or an
# e-mail address where site owners can reach whoever runs this copy). Writes
# `user_agent=...` to $GITHUB_OUTPUT.
#
# Fails, with an error annotation on the run's page, when there is no usable contact or when a
# copy other than the upstream project would crawl under the upstream project's contact.
set -euo pipefail

UPSTREAM_REPOSITORY="china-tech-digest/digest"
UPSTREAM_CONTACT="github.com/china-tech-digest/digest"
PRODUCT="ChinaTechDigest/0.1"  # as in scraper.yml's user_agent
WHERE="the repository variable SCRAPER_CONTACT (Settings → Secrets and variables → Actions → Variables)"

contact="${CONTACT:-}"
repository="${GITHUB_REPOSITORY:-}"
if ! [[ "$contact" =~ ^[^[:space:][:cntrl:]\(\)]+$ ]] || ! [[ "$contact" =~ ^https?://|@ ]]; then
  echo "::error title=No contact for the crawler::'$contact' is not a URL or an e-mail address: set $WHERE to one where site owners can reach you."
  exit 1
fi
if [[ "${contact,,}" == *"$UPSTREAM_CONTACT"* && "${repository,,}" != "$UPSTREAM_REPOSITORY" ]]; then
  echo "::error title=Crawling under the upstream's name::$contact is the contact of the project this repository was copied from, not yours: set $WHERE to your own URL or e-mail address."
  exit 1
fi
echo "user_agent=$PRODUCT (+$contact)" >> "${GITHUB_OUTPUT:-/dev/stdout}"
