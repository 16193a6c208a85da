// An answer a worker wrote as JSON (JsonText) crosses each transport as text and arrives as the value:
// over HTTP the body is the result with the text in place, over IPC the renderer's side parses it.
import { describe, expect, it } from 'vitest';
import { fromWire, JsonText, resultBody, toWire, type DispatchResult } from './contract.ts';

describe('JsonText through the transports', () => {
  const value = { modelId: 3, ids: [1, 2], xy: [10, 20, 30, 40], topics: [1, 0], selection: null, title: 'a "quoted" \u00e9' };
  const asText: DispatchResult = { ok: true, value: new JsonText(JSON.stringify(value)) };

  it('HTTP: the body is the result with the text written in place', () => {
    expect(JSON.parse(resultBody(asText))).toEqual({ ok: true, value });
    const plain: DispatchResult = { ok: true, value };
    expect(resultBody(plain)).toBe(JSON.stringify(plain));
    const failed: DispatchResult = { ok: false, error: 'no model yet' };
    expect(JSON.parse(resultBody(failed))).toEqual(failed);
  });

  it('IPC: the text crosses as a string and the renderer side gets the value', () => {
    const wire = toWire(asText);
    expect(wire).toEqual({ ok: true, json: JSON.stringify(value) });
    expect(fromWire<'model.map'>(structuredClone(wire))).toEqual({ ok: true, value });
    // Other results cross as they are.
    const plain: DispatchResult = { ok: true, value: { cancelled: true } };
    expect(toWire(plain)).toBe(plain);
    expect(fromWire<'topics.cancel'>(structuredClone(toWire(plain)))).toEqual(plain);
    expect(fromWire<'topics.cancel'>({ ok: false, error: 'x' })).toEqual({ ok: false, error: 'x' });
  });
});
