package slackfake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Surface is where a set of blocks is shown; the block limits differ by surface.
type Surface string

// The surfaces the checker knows.
const (
	SurfaceMessage Surface = "message" // chat.postMessage, chat.postEphemeral, chat.update, command replies
	SurfaceModal   Surface = "modal"   // views.open, views.update, views.push
	SurfaceHome    Surface = "home"    // views.publish
)

// Violation is one Block Kit rule a payload breaks, found at Pointer (a JSON pointer
// into the payload, as Slack's own error messages give it). Problem says what is
// wrong in terms of the payload's shape and sizes; it never quotes the payload's text.
type Violation struct {
	Pointer string
	Problem string
}

// String is the violation as Slack words an invalid_blocks message:
// "[ERROR] <problem> [json-pointer:<pointer>]".
func (v Violation) String() string {
	return "[ERROR] " + v.Problem + " [json-pointer:" + v.Pointer + "]"
}

// Block Kit limits, as Slack documents them. Lengths are in characters.
const (
	maxMessageBlocks = 50  // blocks in one message
	maxViewBlocks    = 100 // blocks in a modal or a Home tab

	maxTextLen        = 3000 // any text object; a section's text
	maxFieldLen       = 2000 // each of a section's fields
	maxFields         = 10   // fields in a section
	maxHeaderLen      = 150  // a header block's text
	maxIDLen          = 255  // block_id, action_id, callback_id, external_id
	maxContextItems   = 10   // elements in a context block
	maxActionsItems   = 25   // elements in an actions block
	maxButtonTextLen  = 75   // a button's label
	maxButtonValueLen = 2000 // a button's value
	maxURLLen         = 3000 // a button's or an option's url
	maxOptionTextLen  = 75   // an option's text and description
	maxOptionValueLen = 150  // an option's value
	maxCheckOptions   = 10   // options in a checkbox or radio group
	maxSelectOptions  = 100  // options (or option groups) in a select menu
	maxOverflowItems  = 5    // options in an overflow menu
	maxGroupLabelLen  = 75   // an option group's label
	maxLabelLen       = 2000 // an input block's label and hint; an image's alt text and title
	maxPlaceholderLen = 150  // an input element's placeholder
	maxConfirmTitle   = 100  // a confirmation dialog's title
	maxConfirmText    = 300  // a confirmation dialog's text
	maxConfirmButton  = 30   // a confirmation dialog's confirm and deny labels
	maxViewTitleLen   = 24   // a modal's title, submit and close labels
	maxPrivateMeta    = 3000 // a view's private_metadata
	maxMarkdownLen    = 12000
)

// CheckBlocks checks a JSON array of blocks against Slack's documented limits for the
// surface. Pointers are relative to the array ("/3/text/text").
func CheckBlocks(surface Surface, blocks json.RawMessage) []Violation {
	var v any
	if err := json.Unmarshal(blocks, &v); err != nil {
		return []Violation{{Pointer: "", Problem: "blocks are not valid JSON"}}
	}
	c := newChecker()
	c.blocks(surface, "", v)
	return c.out
}

// CheckView checks a view object (a modal or a Home tab) against Slack's documented
// limits. Pointers are relative to the view ("/blocks/4/label/text").
func CheckView(view json.RawMessage) []Violation {
	var v any
	if err := json.Unmarshal(view, &v); err != nil {
		return []Violation{{Pointer: "", Problem: "view is not valid JSON"}}
	}
	c := newChecker()
	c.view("", v)
	return c.out
}

// viewSurface is the surface a view object is shown on ("" when it is neither).
func viewSurface(view map[string]any) Surface {
	switch view["type"] {
	case "modal":
		return SurfaceModal
	case "home":
		return SurfaceHome
	}
	return ""
}

// checker collects violations while walking one payload.
type checker struct {
	out      []Violation
	blockIDs map[string]bool // block_ids seen so far in this message or view
}

func newChecker() *checker { return &checker{blockIDs: map[string]bool{}} }

func (c *checker) fail(ptr, format string, args ...any) {
	c.out = append(c.out, Violation{Pointer: ptr, Problem: fmt.Sprintf(format, args...)})
}

// view checks a modal or Home tab view object.
func (c *checker) view(ptr string, v any) {
	obj, ok := v.(map[string]any)
	if !ok {
		c.fail(ptr, "must provide an object")
		return
	}
	surface := viewSurface(obj)
	if surface == "" {
		c.fail(ptr+"/type", "must be modal or home")
		return
	}
	c.id(ptr+"/callback_id", obj["callback_id"])
	c.id(ptr+"/external_id", obj["external_id"])
	if pm, ok := obj["private_metadata"]; ok {
		c.maxString(ptr+"/private_metadata", pm, maxPrivateMeta)
	}
	if surface == SurfaceModal {
		c.requiredText(ptr+"/title", obj["title"], maxViewTitleLen, true)
		c.optionalText(ptr+"/submit", obj, "submit", maxViewTitleLen, true)
		c.optionalText(ptr+"/close", obj, "close", maxViewTitleLen, true)
		if _, hasSubmit := obj["submit"]; !hasSubmit && hasInput(obj["blocks"]) {
			c.fail(ptr+"/submit", "is required when the view has an input block")
		}
	}
	b, ok := obj["blocks"]
	if !ok {
		c.fail(ptr+"/blocks", "is required")
		return
	}
	c.blocks(surface, ptr+"/blocks", b)
}

func hasInput(blocks any) bool {
	list, _ := blocks.([]any)
	for _, b := range list {
		if obj, _ := b.(map[string]any); obj["type"] == "input" {
			return true
		}
	}
	return false
}

// blocks checks an array of blocks: how many, each block, and unique block_ids.
func (c *checker) blocks(surface Surface, ptr string, v any) {
	list, ok := v.([]any)
	if !ok {
		c.fail(ptr, "must provide an array")
		return
	}
	most := maxMessageBlocks
	if surface != SurfaceMessage {
		most = maxViewBlocks
	}
	if len(list) > most {
		c.fail(ptr, "no more than %d items allowed in a %s (has %d)", most, surface, len(list))
	}
	for i, b := range list {
		c.block(surface, ptr+"/"+strconv.Itoa(i), b)
	}
}

// block checks one layout block.
func (c *checker) block(surface Surface, ptr string, v any) {
	b, ok := v.(map[string]any)
	if !ok {
		c.fail(ptr, "must provide an object")
		return
	}
	if id, present := b["block_id"]; present {
		if c.id(ptr+"/block_id", id) {
			s := id.(string)
			if c.blockIDs[s] {
				c.fail(ptr+"/block_id", "duplicate block_id within the %s", surface)
			}
			c.blockIDs[s] = true
		}
	}
	typ, _ := b["type"].(string)
	switch typ {
	case "section":
		c.section(ptr, b)
	case "header":
		c.requiredText(ptr+"/text", b["text"], maxHeaderLen, true)
	case "divider":
	case "context":
		c.context(ptr, b)
	case "actions":
		c.actions(ptr, b)
	case "input":
		c.input(ptr, b)
	case "image":
		c.imageBlock(ptr, b)
	case "markdown":
		c.maxString(ptr+"/text", b["text"], maxMarkdownLen)
	case "rich_text", "file", "video", "table", "alert", "card", "carousel", "container",
		"context_actions", "data_table":
		// Accepted as they are: coach builds none of these.
	case "":
		c.fail(ptr+"/type", "is required")
	default:
		c.fail(ptr+"/type", "unknown block type")
	}
}

func (c *checker) section(ptr string, b map[string]any) {
	_, hasText := b["text"]
	fields, hasFields := b["fields"]
	if !hasText && !hasFields {
		c.fail(ptr, "a section needs text or fields")
	}
	if hasText {
		c.requiredText(ptr+"/text", b["text"], maxTextLen, false)
	}
	if hasFields {
		list, ok := fields.([]any)
		switch {
		case !ok:
			c.fail(ptr+"/fields", "must provide an array")
		case len(list) == 0:
			c.fail(ptr+"/fields", "must provide at least 1 item")
		case len(list) > maxFields:
			c.fail(ptr+"/fields", "no more than %d items allowed (has %d)", maxFields, len(list))
		}
		for i, f := range list {
			c.requiredText(ptr+"/fields/"+strconv.Itoa(i), f, maxFieldLen, false)
		}
	}
	if acc, ok := b["accessory"]; ok {
		c.element(ptr+"/accessory", acc, inSection, map[string]bool{})
	}
}

func (c *checker) context(ptr string, b map[string]any) {
	list, ok := b["elements"].([]any)
	switch {
	case !ok:
		c.fail(ptr+"/elements", "must provide an array")
		return
	case len(list) == 0:
		c.fail(ptr+"/elements", "must provide at least 1 item")
	case len(list) > maxContextItems:
		c.fail(ptr+"/elements", "no more than %d items allowed (has %d)", maxContextItems, len(list))
	}
	for i, e := range list {
		p := ptr + "/elements/" + strconv.Itoa(i)
		obj, _ := e.(map[string]any)
		switch obj["type"] {
		case "plain_text", "mrkdwn":
			c.requiredText(p, e, maxTextLen, false)
		case "image":
			c.imageElement(p, obj)
		default:
			c.fail(p+"/type", "a context block holds only text and image elements")
		}
	}
}

func (c *checker) actions(ptr string, b map[string]any) {
	list, ok := b["elements"].([]any)
	switch {
	case !ok:
		c.fail(ptr+"/elements", "must provide an array")
		return
	case len(list) == 0:
		c.fail(ptr+"/elements", "must provide at least 1 item")
	case len(list) > maxActionsItems:
		c.fail(ptr+"/elements", "no more than %d items allowed (has %d)", maxActionsItems, len(list))
	}
	actionIDs := map[string]bool{}
	for i, e := range list {
		c.element(ptr+"/elements/"+strconv.Itoa(i), e, inActions, actionIDs)
	}
}

func (c *checker) input(ptr string, b map[string]any) {
	c.requiredText(ptr+"/label", b["label"], maxLabelLen, true)
	c.optionalText(ptr+"/hint", b, "hint", maxLabelLen, true)
	e, ok := b["element"]
	if !ok {
		c.fail(ptr+"/element", "is required")
		return
	}
	c.element(ptr+"/element", e, inInput, map[string]bool{})
}

func (c *checker) imageBlock(ptr string, b map[string]any) {
	c.imageElement(ptr, b)
	c.optionalText(ptr+"/title", b, "title", maxLabelLen, true)
}

func (c *checker) imageElement(ptr string, b map[string]any) {
	_, url := b["image_url"]
	_, file := b["slack_file"]
	if !url && !file {
		c.fail(ptr, "an image needs image_url or slack_file")
	}
	if url {
		c.maxString(ptr+"/image_url", b["image_url"], maxURLLen)
	}
	alt, ok := b["alt_text"].(string)
	switch {
	case !ok || alt == "":
		c.fail(ptr+"/alt_text", "is required")
	case utf8.RuneCountInString(alt) > maxLabelLen:
		c.fail(ptr+"/alt_text", "must be at most %d characters (has %d)", maxLabelLen, utf8.RuneCountInString(alt))
	}
}

// where says which block holds an element: each takes a different set.
type where int

const (
	inSection where = iota // a section's accessory
	inActions
	inInput
)

// elementsIn lists the element types each place takes (as Slack documents them).
var elementsIn = map[where]map[string]bool{
	inSection: set("button", "checkboxes", "datepicker", "image", "multi_static_select", "multi_users_select",
		"multi_conversations_select", "multi_channels_select", "multi_external_select", "overflow", "radio_buttons",
		"static_select", "users_select", "conversations_select", "channels_select", "external_select", "timepicker",
		"workflow_button"),
	inActions: set("button", "checkboxes", "datepicker", "datetimepicker", "multi_static_select", "multi_users_select",
		"multi_conversations_select", "multi_channels_select", "multi_external_select", "overflow", "radio_buttons",
		"static_select", "users_select", "conversations_select", "channels_select", "external_select", "timepicker",
		"workflow_button", "rich_text_input"),
	inInput: set("checkboxes", "datepicker", "datetimepicker", "email_text_input", "file_input", "multi_static_select",
		"multi_users_select", "multi_conversations_select", "multi_channels_select", "multi_external_select",
		"number_input", "plain_text_input", "radio_buttons", "rich_text_input", "static_select", "users_select",
		"conversations_select", "channels_select", "external_select", "timepicker", "url_text_input"),
}

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, it := range items {
		m[it] = true
	}
	return m
}

var (
	clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	dateRE  = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)
)

// element checks one block element; actionIDs are those already used in its block.
func (c *checker) element(ptr string, v any, at where, actionIDs map[string]bool) {
	e, ok := v.(map[string]any)
	if !ok {
		c.fail(ptr, "must provide an object")
		return
	}
	typ, _ := e["type"].(string)
	if !elementsIn[at][typ] {
		c.fail(ptr+"/type", "element type not allowed here")
		return
	}
	c.actionID(ptr, e, actionIDs)
	if conf, ok := e["confirm"]; ok {
		c.confirm(ptr+"/confirm", conf)
	}
	if _, ok := e["placeholder"]; ok {
		c.optionalText(ptr+"/placeholder", e, "placeholder", maxPlaceholderLen, true)
	}
	c.elementOfType(ptr, typ, e)
}

// actionID checks an element's action_id, if it has one, and that no other
// element of its block has used it.
func (c *checker) actionID(ptr string, e map[string]any, actionIDs map[string]bool) {
	id, present := e["action_id"]
	if !present || !c.id(ptr+"/action_id", id) {
		return
	}
	s := id.(string)
	if actionIDs[s] {
		c.fail(ptr+"/action_id", "duplicate action_id within the block")
	}
	actionIDs[s] = true
}

// elementOfType checks the fields an element of type typ has of its own.
func (c *checker) elementOfType(ptr, typ string, e map[string]any) {
	switch typ {
	case "button":
		c.button(ptr, e)
	case "checkboxes", "radio_buttons":
		c.options(ptr, e, maxCheckOptions, false)
	case "static_select", "multi_static_select":
		if _, groups := e["option_groups"]; groups {
			c.optionGroups(ptr, e)
		} else {
			c.options(ptr, e, maxSelectOptions, true)
		}
	case "overflow":
		c.options(ptr, e, maxOverflowItems, true)
	case "timepicker":
		c.optionalMatch(ptr, e, "initial_time", clockRE, "must be a time of day in HH:mm")
	case "datepicker":
		c.optionalMatch(ptr, e, "initial_date", dateRE, "must be a date in YYYY-MM-DD")
	case "plain_text_input":
		if iv, ok := e["initial_value"]; ok {
			c.maxString(ptr+"/initial_value", iv, maxTextLen)
		}
	case "image":
		c.imageElement(ptr, e)
	}
}

// button checks a button's label, value, url and style.
func (c *checker) button(ptr string, e map[string]any) {
	c.requiredText(ptr+"/text", e["text"], maxButtonTextLen, true)
	if val, ok := e["value"]; ok {
		c.maxString(ptr+"/value", val, maxButtonValueLen)
	}
	if u, ok := e["url"]; ok {
		c.maxString(ptr+"/url", u, maxURLLen)
	}
	if st, ok := e["style"]; ok && st != "primary" && st != "danger" {
		c.fail(ptr+"/style", "must be primary or danger")
	}
}

// optionalMatch checks that e's field key, when present, is a string that
// re matches; problem says what it must be.
func (c *checker) optionalMatch(ptr string, e map[string]any, key string, re *regexp.Regexp, problem string) {
	v, ok := e[key]
	if !ok {
		return
	}
	if s, _ := v.(string); !re.MatchString(s) {
		c.fail(ptr+"/"+key, "%s", problem)
	}
}

// options checks an element's options (and initial options): at most most of them,
// each a valid option; plainOnly for menus, which show only plain_text.
func (c *checker) options(ptr string, e map[string]any, most int, plainOnly bool) {
	list, ok := e["options"].([]any)
	switch {
	case !ok:
		c.fail(ptr+"/options", "must provide an array")
		return
	case len(list) == 0:
		c.fail(ptr+"/options", "must provide at least 1 item")
	case len(list) > most:
		c.fail(ptr+"/options", "no more than %d items allowed (has %d)", most, len(list))
	}
	values := map[string]bool{}
	for i, o := range list {
		if val := c.option(ptr+"/options/"+strconv.Itoa(i), o, plainOnly); val != "" {
			values[val] = true
		}
	}
	c.initialOptions(ptr, e, values, plainOnly)
}

func (c *checker) optionGroups(ptr string, e map[string]any) {
	groups, ok := e["option_groups"].([]any)
	if !ok || len(groups) == 0 {
		c.fail(ptr+"/option_groups", "must provide at least 1 item")
		return
	}
	if len(groups) > maxSelectOptions {
		c.fail(ptr+"/option_groups", "no more than %d items allowed (has %d)", maxSelectOptions, len(groups))
	}
	values := map[string]bool{}
	for i, g := range groups {
		p := ptr + "/option_groups/" + strconv.Itoa(i)
		obj, _ := g.(map[string]any)
		c.requiredText(p+"/label", obj["label"], maxGroupLabelLen, true)
		list, ok := obj["options"].([]any)
		if !ok || len(list) == 0 || len(list) > maxSelectOptions {
			c.fail(p+"/options", "must provide 1 to %d items", maxSelectOptions)
		}
		for j, o := range list {
			if val := c.option(p+"/options/"+strconv.Itoa(j), o, true); val != "" {
				values[val] = true
			}
		}
	}
	c.initialOptions(ptr, e, values, true)
}

// initialOptions checks that initial options are among the element's options.
func (c *checker) initialOptions(ptr string, e map[string]any, values map[string]bool, plainOnly bool) {
	if io, ok := e["initial_option"]; ok {
		if val := c.option(ptr+"/initial_option", io, plainOnly); val != "" && !values[val] {
			c.fail(ptr+"/initial_option", "must match one of the options")
		}
	}
	if ios, ok := e["initial_options"]; ok {
		list, ok := ios.([]any)
		if !ok {
			c.fail(ptr+"/initial_options", "must provide an array")
			return
		}
		for i, o := range list {
			p := ptr + "/initial_options/" + strconv.Itoa(i)
			if val := c.option(p, o, plainOnly); val != "" && !values[val] {
				c.fail(p, "must match one of the options")
			}
		}
	}
}

// option checks one option object and returns its value ("" when it has none).
func (c *checker) option(ptr string, v any, plainOnly bool) string {
	o, ok := v.(map[string]any)
	if !ok {
		c.fail(ptr, "must provide an object")
		return ""
	}
	c.requiredText(ptr+"/text", o["text"], maxOptionTextLen, plainOnly)
	c.optionalText(ptr+"/description", o, "description", maxOptionTextLen, plainOnly)
	val, ok := o["value"].(string)
	switch {
	case !ok || val == "":
		c.fail(ptr+"/value", "is required")
	case utf8.RuneCountInString(val) > maxOptionValueLen:
		c.fail(ptr+"/value", "must be at most %d characters (has %d)", maxOptionValueLen, utf8.RuneCountInString(val))
	}
	if u, ok := o["url"]; ok {
		c.maxString(ptr+"/url", u, maxURLLen)
	}
	return val
}

func (c *checker) confirm(ptr string, v any) {
	obj, ok := v.(map[string]any)
	if !ok {
		c.fail(ptr, "must provide an object")
		return
	}
	c.requiredText(ptr+"/title", obj["title"], maxConfirmTitle, true)
	c.requiredText(ptr+"/text", obj["text"], maxConfirmText, false)
	c.requiredText(ptr+"/confirm", obj["confirm"], maxConfirmButton, true)
	c.requiredText(ptr+"/deny", obj["deny"], maxConfirmButton, true)
	if st, ok := obj["style"]; ok && st != "primary" && st != "danger" {
		c.fail(ptr+"/style", "must be primary or danger")
	}
}

// optionalText checks obj[key] as a text object when it is present.
func (c *checker) optionalText(ptr string, obj map[string]any, key string, most int, plainOnly bool) {
	if v, ok := obj[key]; ok {
		c.requiredText(ptr, v, most, plainOnly)
	}
}

// requiredText checks a text object: plain_text or mrkdwn (plain_text only where
// plainOnly), 1 to most characters, emoji only on plain_text, verbatim only on mrkdwn.
func (c *checker) requiredText(ptr string, v any, most int, plainOnly bool) {
	if v == nil {
		c.fail(ptr, "is required")
		return
	}
	t, ok := v.(map[string]any)
	if !ok {
		c.fail(ptr, "must provide a text object")
		return
	}
	typ, _ := t["type"].(string)
	switch {
	case typ != "plain_text" && typ != "mrkdwn":
		c.fail(ptr+"/type", "must be plain_text or mrkdwn")
	case plainOnly && typ != "plain_text":
		c.fail(ptr+"/type", "must be plain_text here")
	}
	if _, ok := t["emoji"]; ok && typ == "mrkdwn" {
		c.fail(ptr+"/emoji", "is only allowed on plain_text")
	}
	if _, ok := t["verbatim"]; ok && typ == "plain_text" {
		c.fail(ptr+"/verbatim", "is only allowed on mrkdwn")
	}
	s, ok := t["text"].(string)
	n := utf8.RuneCountInString(s)
	switch {
	case !ok:
		c.fail(ptr+"/text", "is required")
	case s == "":
		c.fail(ptr+"/text", "must be at least 1 character")
	case n > most:
		c.fail(ptr+"/text", "must be at most %d characters (has %d)", most, n)
	}
}

// id checks an identifier (block_id, action_id, callback_id, external_id) when it is
// present, and reports whether it is a usable non-empty string.
func (c *checker) id(ptr string, v any) bool {
	if v == nil {
		return false
	}
	s, ok := v.(string)
	switch {
	case !ok:
		c.fail(ptr, "must be a string")
		return false
	case s == "":
		return false
	case utf8.RuneCountInString(s) > maxIDLen:
		c.fail(ptr, "must be at most %d characters (has %d)", maxIDLen, utf8.RuneCountInString(s))
	}
	return true
}

// maxString checks a string field's length.
func (c *checker) maxString(ptr string, v any, most int) {
	s, ok := v.(string)
	if !ok {
		c.fail(ptr, "must be a string")
		return
	}
	if n := utf8.RuneCountInString(s); n > most {
		c.fail(ptr, "must be at most %d characters (has %d)", most, n)
	}
}
