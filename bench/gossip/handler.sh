#!/bin/sh
# Event handler for bench/gossip.sh, the same script for Praetor and serf agents. Appends one line
# per event to $1/ev.$SERF_SELF_NAME: "<unix time> user <name>" for a user event, or
# "<unix time> <member-event> <member>" for each member on stdin (name<TAB>addr<TAB>role<TAB>tags).
# The time is taken when the handler starts, so it includes the agent's handler spawn latency.
t=$(date +%s.%N)
f="$1/ev.$SERF_SELF_NAME"
case "$SERF_EVENT" in
    user) cat > /dev/null; echo "$t user $SERF_USER_EVENT" >> "$f" ;;
    *) cut -f1 | while read -r m; do echo "$t $SERF_EVENT $m"; done >> "$f" ;;
esac
