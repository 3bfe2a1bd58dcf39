#!/bin/sh
# A kiosk's chat with the cxone-chat CLI, start to finish: the customer browses two pages, opens
# the chat, talks to the agent, and ends the conversation.
#
#   cxone-chatd --sandbox &                     # a daemon with an emulated CXone
#   clients/cli/examples/kiosk.sh "Where is my order?"
#
# The daemon's socket is $CXONE_CHATD_SOCKET (or the default). $CXONE_ENVIRONMENT may hold the
# session's environment (NA1, EU1, … as a JSON string, or a JSON object with chatUrl and
# socketUrl); left out, the daemon's default (the sandbox). $CXONE_CHAT is the CLI to run.
set -eu

chat="${CXONE_CHAT:-cxone-chat}"
message="${1:-Hello from the kiosk!}"
environment="${CXONE_ENVIRONMENT:-null}"
brand="${CXONE_BRAND:-1000}"
channel="${CXONE_CHANNEL:-chat_live}"
s='"session": "kiosk"'

"$chat" --wait 10 call session.prepare "{$s, \"environment\": $environment, \"brandId\": $brand,
  \"channelId\": \"$channel\", \"customer\": {\"firstName\": \"Kiosk\", \"lastName\": \"Visitor\"}}" >/dev/null
"$chat" call analytics.pageView "{$s, \"url\": \"kiosk://home\", \"title\": \"Home\"}" >/dev/null
"$chat" call analytics.pageView "{$s, \"url\": \"kiosk://orders\", \"title\": \"My orders\"}" >/dev/null
"$chat" call analytics.chatWindowOpen "{$s}" >/dev/null
"$chat" call session.connect "{$s}" >/dev/null
# Sends in the newest open thread (a new one here) and waits for the agent's answer.
"$chat" send --session kiosk --wait-reply 30 "$message"
"$chat" end --session kiosk
"$chat" call analytics.pageViewEnded "{$s, \"url\": \"kiosk://orders\", \"title\": \"My orders\"}" >/dev/null
"$chat" call session.close "{$s}" >/dev/null
