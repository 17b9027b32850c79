package bench

import (
	"strconv"
	"unicode/utf8"
)

// The frames are written by hand, in the field order and with the escaping
// Slack uses ("/" as "\/", non-ASCII as UTF-8), because encoding/json would
// escape "<" and ">" in every mention.

const (
	teamID    = "T0BENCH001"
	appID     = "A0BENCH001"
	botUserID = "UC0ACHB0T"
)

// appendString appends s as a JSON string, escaped the way Slack does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			_, n := utf8.DecodeRuneInString(s[i:])
			b = append(b, s[i:i+n]...)
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\' || c == '/':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}

func appendField(b []byte, key, value string) []byte {
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// envelope wraps an Events API payload in a Socket Mode frame.
func appendEnvelope(b []byte, envelopeID string, payload []byte, retry int) []byte {
	b = append(b, `{"envelope_id":`...)
	b = appendString(b, envelopeID)
	b = append(b, `,"payload":`...)
	b = append(b, payload...)
	b = append(b, `,"type":"events_api","accepts_response_payload":false,"retry_attempt":`...)
	b = strconv.AppendInt(b, int64(retry), 10)
	if retry > 0 {
		b = append(b, `,"retry_reason":"timeout"}`...)
	} else {
		b = append(b, `,"retry_reason":""}`...)
	}
	return b
}

// appendPayload writes an event_callback around an inner event.
func appendPayload(b []byte, eventID string, eventTime int64, event []byte) []byte {
	b = append(b, `{"token":"Zk3vQ9pLm2XbT7rWc4Nd8sYh","team_id":"`+teamID+`","context_team_id":"`+teamID+
		`","context_enterprise_id":null,"api_app_id":"`+appID+`","event":`...)
	b = append(b, event...)
	b = append(b, `,"type":"event_callback","event_id":`...)
	b = appendString(b, eventID)
	b = append(b, `,"event_time":`...)
	b = strconv.AppendInt(b, eventTime, 10)
	b = append(b, `,"authorizations":[{"enterprise_id":null,"team_id":"`+teamID+`","user_id":"`+botUserID+
		`","is_bot":true,"is_enterprise_install":false}],"is_ext_shared_channel":false,`+
		`"event_context":"4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMEJFTkNIMDAxIiwiYWlkIjoiQTBCRU5DSDAwMSIsImNpZCI6IkMxMDAwMDAwMSJ9"}`...)
	return b
}

// message is the inner event of a message in a conversation.
type message struct {
	subtype     string
	user        string
	botID       string
	channel     string
	channelType string
	ts          string
	threadTS    string
	parentUser  string
	clientMsgID string
	parts       []part
}

func appendMessage(b []byte, m message) []byte {
	b = append(b, '{')
	if m.botID != "" {
		b = appendField(b, "subtype", "bot_message")
		b = append(b, ',')
		b = appendField(b, "text", textOf(m.parts))
		b = append(b, ',')
		b = appendField(b, "username", "deploybot")
		b = append(b, ',')
		b = appendField(b, "bot_id", m.botID)
		b = append(b, `,"type":"message",`...)
	} else {
		if m.subtype != "" {
			b = appendField(b, "subtype", m.subtype)
			b = append(b, ',')
		}
		b = appendField(b, "user", m.user)
		b = append(b, `,"type":"message",`...)
		b = appendField(b, "ts", m.ts)
		b = append(b, ',')
		if m.clientMsgID != "" {
			b = appendField(b, "client_msg_id", m.clientMsgID)
			b = append(b, ',')
		}
		b = appendField(b, "text", textOf(m.parts))
		b = append(b, `,"team":"`+teamID+`",`...)
		if m.subtype == "" {
			b = appendBlocks(b, m.parts, m.clientMsgID)
			b = append(b, ',')
		}
		if m.threadTS != "" {
			b = appendField(b, "thread_ts", m.threadTS)
			b = append(b, ',')
			b = appendField(b, "parent_user_id", m.parentUser)
			b = append(b, ',')
		}
	}
	if m.botID != "" {
		b = appendField(b, "ts", m.ts)
		b = append(b, ',')
	}
	b = appendField(b, "channel", m.channel)
	b = append(b, ',')
	b = appendField(b, "event_ts", m.ts)
	b = append(b, ',')
	b = appendField(b, "channel_type", m.channelType)
	return append(b, '}')
}

// appendBlocks writes the rich_text block Slack sends beside a message's text.
func appendBlocks(b []byte, parts []part, blockID string) []byte {
	if len(blockID) > 5 {
		blockID = blockID[:5]
	}
	b = append(b, `"blocks":[{"type":"rich_text","block_id":`...)
	b = appendString(b, blockID)
	b = append(b, `,"elements":[{"type":"rich_text_section","elements":[`...)
	for i, p := range parts {
		if i > 0 {
			b = append(b, ',')
		}
		switch {
		case p.mention != "":
			b = append(b, `{"type":"user","user_id":`...)
			b = appendString(b, p.mention)
		case p.emoji != "":
			b = append(b, `{"type":"emoji","name":`...)
			b = appendString(b, p.emoji)
		default:
			b = append(b, `{"type":"text","text":`...)
			b = appendString(b, p.text)
		}
		b = append(b, '}')
	}
	return append(b, `]}]}]`...)
}

// appendChanged writes a message_changed (an edit), which coach skips.
func appendChanged(b []byte, m message, edited []part, editTS string) []byte {
	b = append(b, `{"type":"message","subtype":"message_changed","message":{"type":"message","user":`...)
	b = appendString(b, m.user)
	b = append(b, ',')
	b = appendField(b, "text", textOf(edited))
	b = append(b, `,"edited":{"user":`...)
	b = appendString(b, m.user)
	b = append(b, `,"ts":`...)
	b = appendString(b, editTS)
	b = append(b, `},"ts":`...)
	b = appendString(b, m.ts)
	b = append(b, `},"previous_message":{"type":"message","user":`...)
	b = appendString(b, m.user)
	b = append(b, ',')
	b = appendField(b, "text", textOf(m.parts))
	b = append(b, `,"ts":`...)
	b = appendString(b, m.ts)
	b = append(b, `},"channel":`...)
	b = appendString(b, m.channel)
	b = append(b, `,"hidden":true,"ts":`...)
	b = appendString(b, editTS)
	b = append(b, `,"event_ts":`...)
	b = appendString(b, editTS)
	b = append(b, `,"channel_type":`...)
	b = appendString(b, m.channelType)
	return append(b, '}')
}

// appendDeleted writes a message_deleted carrying the deleted message.
func appendDeleted(b []byte, m message, deleteTS string) []byte {
	b = append(b, `{"type":"message","subtype":"message_deleted","hidden":true,"deleted_ts":`...)
	b = appendString(b, m.ts)
	b = append(b, `,"channel":`...)
	b = appendString(b, m.channel)
	b = append(b, `,"previous_message":{"type":"message","user":`...)
	b = appendString(b, m.user)
	b = append(b, ',')
	b = appendField(b, "text", textOf(m.parts))
	b = append(b, `,"ts":`...)
	b = appendString(b, m.ts)
	if m.threadTS != "" {
		b = append(b, `,"thread_ts":`...)
		b = appendString(b, m.threadTS)
		b = append(b, `,"parent_user_id":`...)
		b = appendString(b, m.parentUser)
	}
	b = append(b, `},"ts":`...)
	b = appendString(b, deleteTS)
	b = append(b, `,"event_ts":`...)
	b = appendString(b, deleteTS)
	b = append(b, `,"channel_type":`...)
	b = appendString(b, m.channelType)
	return append(b, '}')
}

// appendReaction writes a reaction_added or reaction_removed on m.
func appendReaction(b []byte, typ, user, emoji string, m message, ts string) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, typ)
	b = append(b, `,"user":`...)
	b = appendString(b, user)
	b = append(b, `,"reaction":`...)
	b = appendString(b, emoji)
	b = append(b, `,"item_user":`...)
	b = appendString(b, m.user)
	b = append(b, `,"item":{"type":"message","channel":`...)
	b = appendString(b, m.channel)
	b = append(b, `,"ts":`...)
	b = appendString(b, m.ts)
	b = append(b, `},"event_ts":`...)
	b = appendString(b, ts)
	return append(b, '}')
}
