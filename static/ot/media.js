// The elements publishers and subscribers put on the page. No inline styles:
// the page's CSS styles these classes (the CSP forbids style attributes).

/**
 * Makes a container with a video element and inserts it per OpenTok's insertMode.
 * @param {string} className OT_publisher or OT_subscriber
 * @param {HTMLElement|string|undefined} target an element or its id
 * @param {string} [insertMode] replace (the default: replaces the target's contents), append, before or after
 * @param {boolean} muted
 */
export function mediaElement(className, target, insertMode = 'replace', muted = false) {
  const container = document.createElement('div');
  container.className = `OT_root ${className}`;
  const video = document.createElement('video');
  video.className = 'OT_video-element';
  video.autoplay = true;
  video.playsInline = true;
  video.muted = muted;
  container.append(video);
  const el = typeof target === 'string' ? document.getElementById(target) : target;
  if (!el) {
    document.body.append(container);
  } else if (insertMode === 'append') {
    el.append(container);
  } else if (insertMode === 'before') {
    el.before(container);
  } else if (insertMode === 'after') {
    el.after(container);
  } else {
    el.replaceChildren(container);
  }
  return { container, video };
}

/** A random id for OpenTok objects. */
export function randomId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
}
