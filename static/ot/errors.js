// Errors as OpenTok.js gives them: an Error with OpenTok's name, numeric
// code and message.

export const codes = {
  AUTHENTICATION_ERROR: 1004,
  CONNECT_FAILED: 1006,
  NOT_CONNECTED: 1010,
  INVALID_PARAMETER: 1011,
  UNABLE_TO_PUBLISH: 1500,
  UNABLE_TO_SUBSCRIBE: 1501,
};

/**
 * @param {string} name e.g. OT_INVALID_ENCRYPTION_SECRET
 * @param {number|undefined} code
 * @param {string} message
 */
export function otError(name, code, message) {
  const err = new Error(message);
  err.name = name;
  if (code !== undefined) err.code = code;
  return err;
}

/** What is wrong with an encryption secret, as OpenTok.js words it, or null. */
export function secretProblem(secret) {
  if (typeof secret !== 'string') return 'secret must be a string';
  if (secret.length < 8) return 'secret must have at least 8 characters';
  if (secret.length > 256) return 'secret must have at most 256 characters';
  return null;
}

/** The error of every call that needs a connected session. */
export function notConnected() {
  return otError('OT_NOT_CONNECTED', codes.NOT_CONNECTED, 'You are not connected to the OpenTok session.');
}
