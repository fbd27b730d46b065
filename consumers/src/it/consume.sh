#!/usr/bin/env bash
# Runs one block of commands from README.md exactly as written, in the current directory (a consumer project whose
# lib/ holds the jars the commands name). The block is the first ```shell block after the line
# "<!-- consumer: NAME -->". The commands run on the first JDK 25 or later found where maven-toolchains-plugin
# looks (JAVA_HOME, /usr/lib/jvm, SDKMAN, macOS), put first on the PATH as a user would have it.
set -euo pipefail
readme=$1
name=$2

jdk=
for home in "${JAVA_HOME:-}" /usr/lib/jvm/* "$HOME"/.sdkman/candidates/java/* \
        /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    if [ -n "$home" ] && [ -x "$home/bin/javac" ]; then
        major=$("$home/bin/javac" -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            jdk=$home
            break
        fi
    fi
done
if [ -z "$jdk" ]; then
    echo "no JDK 25 or later found" >&2
    exit 1
fi

commands=$(awk -v marker="<!-- consumer: $name -->" '
    $0 == marker { found = 1; next }
    found && !inside && /^```shell/ { inside = 1; next }
    inside && /^```/ { exit }
    inside { print }' "$readme")
if [ -z "$commands" ]; then
    echo "README.md has no shell block after <!-- consumer: $name -->" >&2
    exit 1
fi
PATH="$jdk/bin:$PATH" bash -euo pipefail -c "$commands"
