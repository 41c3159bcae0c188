#!/usr/bin/env bash
# Commits what the night changed under docs/ and pushes it to $BRANCH on origin. Writes
# `changed=true|false` and `sha=<the commit to build>` to $GITHUB_OUTPUT.
#
# A push refused because someone else pushed meanwhile: the commit is replayed on top of theirs.
# When that replay conflicts, it is aborted (the checkout is never left mid-rebase), and the
# night's pages are laid over the remote's archive instead: every page the night wrote that the
# remote did not change since. Where both changed a page the remote's copy stays; the next run
# fetches that page again if its source has changed since.
set -euo pipefail

branch="${BRANCH:?set BRANCH to the branch to push to}"
output="${GITHUB_OUTPUT:-/dev/null}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
pause="${PUSH_RETRY_SECONDS:-10}"
git config user.name "github-actions[bot]"
git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
message="Nightly update $(date -u +%Y-%m-%d)"

git add --all -- docs
if git diff --cached --quiet; then
  echo "No new or changed pages." | tee -a "$summary"
  echo "changed=false" >> "$output"
  echo "sha=$(git rev-parse HEAD)" >> "$output"
  exit 0
fi
git commit --quiet -m "$message"

# The night's pages over the remote's archive, as one new commit on top of it.
lay_over_remote() {
  local ours base pages
  ours=$(git rev-parse HEAD)
  pages=$(mktemp)
  base=$(git merge-base HEAD "origin/$branch")
  git reset --quiet --hard "origin/$branch"
  comm -23 <(git diff --name-only "$base" "$ours" -- docs | sort) \
           <(git diff --name-only "$base" "origin/$branch" -- docs | sort) > "$pages"
  while IFS= read -r page; do
    if git cat-file -e "$ours:$page" 2>/dev/null; then
      git checkout --quiet "$ours" -- "$page"
    else
      git rm --quiet --ignore-unmatch -- "$page"
    fi
  done < "$pages"
  echo "Rebuilt on the remote's archive: $(wc -l < "$pages") page(s) of tonight's kept." | tee -a "$summary"
  git add --all -- docs
  git diff --cached --quiet || git commit --quiet -m "$message"
}

for attempt in 1 2 3; do
  if git push --quiet origin "HEAD:$branch"; then
    echo "Pushed $(git rev-parse --short HEAD)." | tee -a "$summary"
    echo "changed=true" >> "$output"
    echo "sha=$(git rev-parse HEAD)" >> "$output"
    exit 0
  fi
  if [ "$attempt" = 3 ]; then
    break
  fi
  sleep $((attempt * pause))
  git fetch --quiet origin "$branch"
  if ! git rebase --quiet "origin/$branch"; then
    git rebase --abort
    lay_over_remote
  fi
done
echo "::error title=Push failed::could not push the night's pages to $branch; they are in this run's checkout only"
exit 1
