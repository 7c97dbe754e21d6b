package deeplink

import (
	"fmt"
	"strings"
)

// Right is an administrator right a startgroup or startchannel link asks
// for (https://core.telegram.org/api/links#bot-links).
type Right string

// The rights a link may ask for.
const (
	ChangeInfo       Right = "change_info"
	PostMessages     Right = "post_messages"
	EditMessages     Right = "edit_messages"
	DeleteMessages   Right = "delete_messages"
	RestrictMembers  Right = "restrict_members"
	InviteUsers      Right = "invite_users"
	PinMessages      Right = "pin_messages"
	ManageTopics     Right = "manage_topics"
	PromoteMembers   Right = "promote_members"
	ManageVideoChats Right = "manage_video_chats"
	Anonymous        Right = "anonymous"
	ManageChat       Right = "manage_chat"
	PostStories      Right = "post_stories"
	EditStories      Right = "edit_stories"
	DeleteStories    Right = "delete_stories"
)

func (r Right) valid() bool {
	switch r {
	case ChangeInfo, PostMessages, EditMessages, DeleteMessages, RestrictMembers, InviteUsers, PinMessages,
		ManageTopics, PromoteMembers, ManageVideoChats, Anonymous, ManageChat, PostStories, EditStories, DeleteStories:
		return true
	}
	return false
}

func admin(rights []Right) (string, error) {
	if len(rights) == 0 {
		return "", nil
	}
	names := make([]string, len(rights))
	for i, r := range rights {
		if !r.valid() {
			return "", fmt.Errorf("%w: unknown administrator right %q", ErrInvalid, string(r))
		}
		names[i] = string(r)
	}
	return "admin=" + strings.Join(names, "+"), nil
}

// Start returns the link that opens a private chat with bot and sends it
// "/start payload" (payload may be empty).
func Start(bot, payload string) (string, error) {
	bot, err := checkBot(bot)
	if err != nil {
		return "", err
	}
	if err := Check(payload, MaxPayload); err != nil {
		return "", err
	}
	return tme(bot, "start="+payload), nil
}

// StartGroup returns the link that lets a user add bot to a group, with
// the administrator rights asked for, if any; the bot then receives
// "/start payload" in the group.
func StartGroup(bot, payload string, rights ...Right) (string, error) {
	bot, err := checkBot(bot)
	if err != nil {
		return "", err
	}
	if err := Check(payload, MaxPayload); err != nil {
		return "", err
	}
	q := "startgroup=" + payload
	a, err := admin(rights)
	if err != nil {
		return "", err
	}
	if a != "" {
		q += "&" + a
	}
	return tme(bot, q), nil
}

// StartChannel returns the link that lets a user add bot to a channel as
// an administrator with rights (at least one; channels have no payload).
func StartChannel(bot string, rights ...Right) (string, error) {
	bot, err := checkBot(bot)
	if err != nil {
		return "", err
	}
	if len(rights) == 0 {
		return "", fmt.Errorf("%w: a startchannel link needs at least one administrator right", ErrInvalid)
	}
	a, err := admin(rights)
	if err != nil {
		return "", err
	}
	return tme(bot, "startchannel&"+a), nil
}

// StartApp returns the link that opens a Mini App of bot with payload
// (its start_param; may be empty): the bot's main Mini App when app is
// "", else the app with that short name.
func StartApp(bot, app, payload string) (string, error) {
	bot, err := checkBot(bot)
	if err != nil {
		return "", err
	}
	if err := Check(payload, MaxAppPayload); err != nil {
		return "", err
	}
	path := bot
	if app != "" {
		if err := Check(app, MaxPayload); err != nil || len(app) < 3 {
			return "", fmt.Errorf("%w: Mini App short name %q", ErrInvalid, app)
		}
		path += "/" + app
	}
	return tme(path, "startapp="+payload), nil
}
