// OpenTok's event emitter: on, off and once, with a handler per type, a
// context for `this`, or a map of types to handlers.

/**
 * An OpenTok event: its type, its target, and the fields of its kind.
 * @param {string} type
 * @param {object} target
 * @param {object} [fields]
 */
export function makeEvent(type, target, fields = {}) {
  let prevented = false;
  return {
    type,
    target,
    cancelable: true,
    ...fields,
    preventDefault() { prevented = true; },
    isDefaultPrevented() { return prevented; },
  };
}

export class Emitter {
  #handlers = new Map(); // type -> [{handler, context, once}]

  /**
   * @param {string|Object<string, Function>} type or a map of types to handlers
   * @param {Function} [handler]
   * @param {object} [context]
   */
  on(type, handler, context) {
    return this.#add(type, handler, context, false);
  }

  once(type, handler, context) {
    return this.#add(type, handler, context, true);
  }

  /** Removes handlers: all, all of a type, or one. */
  off(type, handler, context) {
    if (type === undefined) {
      this.#handlers.clear();
      return this;
    }
    if (typeof type === 'object') {
      for (const [t, h] of Object.entries(type)) this.off(t, h, handler);
      return this;
    }
    for (const t of type.split(' ')) {
      if (handler === undefined) {
        this.#handlers.delete(t);
        continue;
      }
      const kept = (this.#handlers.get(t) ?? []).filter((h) => h.handler !== handler || (context !== undefined && h.context !== context));
      this.#handlers.set(t, kept);
    }
    return this;
  }

  /** How many handlers listen to type. */
  listenerCount(type) {
    return this.#handlers.get(type)?.length ?? 0;
  }

  /** Dispatches an event to its handlers; returns the event. */
  dispatchEvent(event) {
    for (const h of [...(this.#handlers.get(event.type) ?? [])]) {
      if (h.once) this.off(event.type, h.handler, h.context);
      try {
        h.handler.call(h.context ?? this, event);
      } catch (err) {
        console.error(`OT: a handler of ${event.type} threw`, err);
      }
    }
    return event;
  }

  /** Makes and dispatches an event of this object. */
  emit(type, fields) {
    return this.dispatchEvent(makeEvent(type, this, fields));
  }

  #add(type, handler, context, once) {
    if (typeof type === 'object') {
      for (const [t, h] of Object.entries(type)) this.#add(t, h, handler, once);
      return this;
    }
    for (const t of type.split(' ')) {
      if (!this.#handlers.has(t)) this.#handlers.set(t, []);
      this.#handlers.get(t).push({ handler, context, once });
    }
    return this;
  }
}
