package ui

import (
	"fmt"

	"e2eecall/app/ot"
)

// explain turns an OpenTok error into words: what happened, what to do.
func explain(step Step, err ot.Error, about string) (title, text string) {
	switch err.Name {
	case "OT_INVALID_ENCRYPTION_SECRET":
		return "The encryption secret was refused", fmt.Sprintf("%s Use %s, then join again.", sentence(err.Message), secretRange)
	case "OT_UNSUPPORTED_BROWSER":
		return "This browser can't do end-to-end encrypted video", "Join from a recent Chrome, Edge or Safari."
	case "OT_AUTHENTICATION_ERROR":
		return "The call did not accept your ticket", "It may have expired. Select Join call to get a new one."
	case "OT_CONNECT_FAILED", "OT_SOCKET_CONNECT_FAILED", "OT_CONNECTION_LIMIT_EXCEEDED":
		return "Could not join the call", fmt.Sprintf("%s Check your connection, then join again.", sentence(err.Message))
	case "OT_USER_MEDIA_ACCESS_DENIED", "OT_NO_DEVICES_FOUND", "OT_HARDWARE_UNAVAILABLE":
		return "Your camera or microphone is blocked", "Others can't see or hear you. Allow the camera and microphone for this site (the icon in the address bar), then leave and join again."
	case "OT_STREAM_CREATE_FAILED":
		return "Your audio and video could not be sent", fmt.Sprintf("%s Leave and join again with an encryption secret.", sentence(err.Message))
	case "OT_UNABLE_TO_SUBSCRIBE":
		return fmt.Sprintf("Can't receive %s's audio and video", about), fmt.Sprintf("%s Leave and join again.", sentence(err.Message))
	}
	switch step {
	case StepSession:
		return "Could not set up the call", sentence(err.Message)
	case StepPublish:
		return "Your audio and video could not be sent", fmt.Sprintf("%s Leave and join again.", sentence(err.Message))
	case StepSubscribe:
		return fmt.Sprintf("Can't receive %s's audio and video", about), sentence(err.Message)
	}
	return "Something went wrong", fmt.Sprintf("%s Join again.", sentence(err.Message))
}
