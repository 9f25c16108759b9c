// Screen sharing as OpenTok.js offers it: OT.checkScreenSharingCapability,
// and OT.initPublisher(target, {videoSource: 'screen'}), a Publisher whose
// video is a captured screen, window or tab, published as a second stream
// with videoType 'screen' and encrypted like every other.
//
// The policy for screen content, which is mostly text: capture at most
// 1920x1080 (larger screens are scaled down, keeping their shape) and at
// most SCREEN_FRAME_RATE frames a second; mark the track as text
// (contentHint 'text': the encoder keeps edges sharp and Chromium encodes in
// its screen-content mode); and when bandwidth is short, keep the resolution
// and lower the frame rate (degradationPreference 'maintain-resolution'), so
// that text stays readable and only moves later.
import { codes, otError } from './errors.js';
import { Publisher } from './publisher.js';

export const SCREEN_MAX_WIDTH = 1920;
export const SCREEN_MAX_HEIGHT = 1080;
export const SCREEN_FRAME_RATE = 15;
export const SCREEN_MAX_BITRATE = 2_500_000; // bits a second: sharp text at 1080p, with room for scrolling

/**
 * Whether this browser can share a screen: getDisplayMedia exists, and it
 * is not a phone (Android's Chrome has the function but always refuses, as
 * OpenTok.js knows; iOS has none).
 * @param {{userAgent?: string, mediaDevices?: object}} [nav]
 */
export function canShareScreen(nav = globalThis.navigator) {
  if (typeof nav?.mediaDevices?.getDisplayMedia !== 'function') return false;
  return !/android|iphone|ipad|ipod/i.test(nav.userAgent ?? '');
}

/**
 * OT.checkScreenSharingCapability(callback): the response object of
 * OpenTok.js, to the callback and as a promise.
 * @param {(response: object) => void} [callback]
 */
export function checkScreenSharingCapability(callback) {
  const supported = canShareScreen();
  const response = {
    supported,
    extensionRequired: undefined,
    extensionRegistered: undefined,
    extensionInstalled: undefined,
    supportedSources: supported ? { screen: true, application: false, window: true, browser: true } : {},
  };
  setTimeout(() => callback?.(response), 0);
  return Promise.resolve(response);
}

/** The getDisplayMedia constraints of the policy above. */
export function screenConstraints() {
  return {
    video: {
      width: { max: SCREEN_MAX_WIDTH },
      height: { max: SCREEN_MAX_HEIGHT },
      frameRate: { ideal: SCREEN_FRAME_RATE, max: SCREEN_FRAME_RATE },
    },
    audio: false,
  };
}

/**
 * The send parameters of the policy above, applied to a sender's current
 * ones: one encoding, capped in frame rate and bitrate, and the resolution
 * kept when bandwidth is short.
 * @param {RTCRtpSendParameters} params
 */
export function screenSendParameters(params) {
  const encodings = params.encodings?.length ? params.encodings : [{}];
  return {
    ...params,
    degradationPreference: 'maintain-resolution',
    encodings: encodings.map((e) => ({ ...e, maxFramerate: SCREEN_FRAME_RATE, maxBitrate: SCREEN_MAX_BITRATE })),
  };
}

/**
 * A Publisher of a screen. When the person stops sharing from the browser's
 * own control ("Stop sharing"), the track ends: as OpenTok.js, it fires
 * mediaStopped, then unpublishes (streamDestroyed with reason
 * 'mediaStopped') and destroys itself, unless mediaStopped was prevented.
 */
export class ScreenPublisher extends Publisher {
  async _openMedia() {
    if (!canShareScreen()) {
      throw otError('OT_SCREEN_SHARING_NOT_SUPPORTED', codes.UNABLE_TO_PUBLISH, 'Screen Sharing is not supported in this browser');
    }
    const media = await navigator.mediaDevices.getDisplayMedia(screenConstraints());
    for (const track of media.getVideoTracks()) {
      if ('contentHint' in track) track.contentHint = 'text';
    }
    return media;
  }

  get _videoType() {
    return 'screen';
  }

  _published(session, pcId, senders, stream) {
    super._published(session, pcId, senders, stream);
    for (const sender of senders) {
      if (sender.track?.kind !== 'video') continue;
      sender.setParameters(screenSendParameters(sender.getParameters())).catch((err) => {
        console.warn('OT: the screen\'s send parameters were not applied', err);
      });
    }
  }

  _trackEnded() {
    const event = this.emit('mediaStopped', { track: undefined });
    if (event.isDefaultPrevented()) return;
    this.session?._unpublish(this, 'mediaStopped');
    this.destroy();
  }
}
