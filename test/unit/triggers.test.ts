import {
  MalformedPayloadError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnsupportedEventError,
  UnsupportedMediaTypeError,
} from '../../functions/detach-key-pair/src/errors';
import { detectInvocation } from '../../functions/detach-key-pair/src/triggers';
import {
  isJsonContentType,
  MAX_BODY_BYTES,
  routeHttpRequest,
  type HttpTriggerEvent,
} from '../../functions/detach-key-pair/src/triggers/http';
import { eventBuffer, loadEvent } from '../helpers/events';

const REQUEST = {
  RegionId: 'cn-hangzhou',
  KeyPairName: 'ops-key',
  InstanceIds: ['i-bp1d6tsvznfghy7y0001', 'i-bp1d6tsvznfghy7y0002'],
};

function httpEvent(name: string): HttpTriggerEvent {
  const invocation = detectInvocation(eventBuffer(name));
  if (invocation.source !== 'http') throw new Error(`${name} was not detected as HTTP`);
  return invocation.event;
}

describe('detectInvocation', () => {
  it.each(['http/post-json.json', 'http/get.json', 'http/put.json'])(
    'detects the HTTP trigger event %s from a Buffer',
    (name) => {
      // Act
      const invocation = detectInvocation(eventBuffer(name));
      // Assess
      expect(invocation.source).toBe('http');
    },
  );

  it.each([
    ['a Buffer', eventBuffer('direct/request.json')],
    ['a string', eventBuffer('direct/request.json').toString('utf8')],
    ['a parsed object', loadEvent('direct/request.json')],
  ])('reads a direct request from %s', (_form, event) => {
    // Act
    const invocation = detectInvocation(event);
    // Assess
    expect(invocation).toStrictEqual({
      source: 'direct',
      batch: false,
      payloads: [{ payload: REQUEST }],
    });
  });

  it('passes a misspelt direct request on to validation', () => {
    // Act
    const invocation = detectInvocation(eventBuffer('direct/request-typo.json'));
    // Assess
    expect(invocation.source).toBe('direct');
  });

  it.each([
    'cloudevents/single.json',
    'cloudevents/data-string.json',
    'cloudevents/mns-queue.json',
  ])('reads the request from the data of %s', (name) => {
    // Act
    const invocation = detectInvocation(eventBuffer(name));
    // Assess
    expect(invocation).toStrictEqual({
      source: 'cloudevent',
      batch: false,
      payloads: [{ payload: REQUEST }],
    });
  });

  it('reads a batch of CloudEvents, one payload each', () => {
    // Act
    const invocation = detectInvocation(eventBuffer('cloudevents/batch.json'));
    // Assess
    expect(invocation).toMatchObject({ source: 'cloudevent', batch: true });
    expect(
      invocation.source !== 'http' && invocation.source !== 'unsupported' && invocation.payloads,
    ).toStrictEqual([
      { payload: REQUEST },
      {
        payload: {
          ...REQUEST,
          InstanceIds: 'i-bp1d6tsvznfghy7y0003, i-bp1d6tsvznfghy7y0004',
          DryRun: true,
        },
      },
    ]);
  });

  it('reads data_base64 when a CloudEvent carries no data', () => {
    // Prepare
    const event = loadEvent<Record<string, unknown>>('cloudevents/single.json');
    delete event.data;
    event.data_base64 = Buffer.from(JSON.stringify(REQUEST)).toString('base64');
    // Act
    const invocation = detectInvocation(event);
    // Assess
    expect(invocation).toMatchObject({ payloads: [{ payload: REQUEST }] });
  });

  it('reports a CloudEvent without data as malformed', () => {
    // Prepare
    const event = loadEvent<Record<string, unknown>>('cloudevents/single.json');
    delete event.data;
    // Act
    const invocation = detectInvocation(event);
    // Assess
    expect(invocation).toMatchObject({ payloads: [{ error: expect.any(MalformedPayloadError) }] });
  });

  it('reads the timer payload as a JSON string', () => {
    // Act
    const invocation = detectInvocation(eventBuffer('timer/timer.json'));
    // Assess
    expect(invocation).toStrictEqual({
      source: 'timer',
      batch: false,
      payloads: [
        {
          payload: {
            ...REQUEST,
            InstanceIds: '["i-bp1d6tsvznfghy7y0001", "i-bp1d6tsvznfghy7y0002"]',
          },
        },
      ],
    });
  });

  it('reports a timer payload that is not JSON', () => {
    // Act
    const invocation = detectInvocation(eventBuffer('timer/timer-not-json.json'));
    // Assess
    expect(invocation).toMatchObject({
      source: 'timer',
      payloads: [{ error: expect.any(MalformedPayloadError) }],
    });
  });

  it.each([
    ['an OSS event', loadEvent('direct/unsupported-oss.json')],
    ['a number', 42],
    ['null', null],
    ['an empty array', []],
    ['undefined', undefined],
  ])('refuses %s, naming the accepted shapes', (_case, event) => {
    // Act
    const invocation = detectInvocation(event);
    // Assess
    expect(invocation).toStrictEqual({
      source: 'unsupported',
      error: expect.any(UnsupportedEventError),
    });
    expect(invocation.source === 'unsupported' && invocation.error.message).toContain('CloudEvent');
  });

  it.each([
    ['bytes that are not JSON', Buffer.from('{"RegionId":')],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x7b])],
    ['an empty Buffer', Buffer.alloc(0)],
  ])('reports %s as malformed', (_case, event) => {
    // Act
    const invocation = detectInvocation(event);
    // Assess
    expect(invocation).toStrictEqual({
      source: 'unsupported',
      error: expect.any(MalformedPayloadError),
    });
  });

  it('survives deeply nested JSON', () => {
    // Prepare
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    // Act
    const invocation = detectInvocation(Buffer.from(deep));
    // Assess
    expect(invocation.source).toBe('unsupported');
  });
});

describe('routeHttpRequest', () => {
  it.each(['http/post-json.json', 'http/post-json-charset.json', 'http/post-base64.json'])(
    'reads the JSON body of %s',
    (name) => {
      // Act
      const route = routeHttpRequest(httpEvent(name));
      // Assess
      expect(route).toStrictEqual({ kind: 'detach', payload: REQUEST });
    },
  );

  it('answers GET with the description', () => {
    // Act
    const route = routeHttpRequest(httpEvent('http/get.json'));
    // Assess
    expect(route).toStrictEqual({ kind: 'describe' });
  });

  it.each(['http/put.json', 'http/delete.json'])('refuses the method of %s', (name) => {
    // Act
    const act = () => routeHttpRequest(httpEvent(name));
    // Assess
    expect(act).toThrow(MethodNotAllowedError);
  });

  it.each(['http/post-text-plain.json', 'http/post-no-content-type.json'])(
    'refuses the content type of %s',
    (name) => {
      // Act
      const act = () => routeHttpRequest(httpEvent(name));
      // Assess
      expect(act).toThrow(UnsupportedMediaTypeError);
    },
  );

  it.each([
    ['plain', false],
    ['base64', true],
  ])('refuses a %s body over 64 KiB', (_case, isBase64Encoded) => {
    // Prepare
    const event = httpEvent('http/post-json.json');
    const body = JSON.stringify({ ...REQUEST, Pad: 'x'.repeat(MAX_BODY_BYTES) });
    event.body = isBase64Encoded ? Buffer.from(body).toString('base64') : body;
    event.isBase64Encoded = isBase64Encoded;
    // Act
    const act = () => routeHttpRequest(event);
    // Assess
    expect(act).toThrow(PayloadTooLargeError);
  });

  it.each([
    ['invalid JSON', 'http/post-invalid-json.json', undefined],
    ['invalid base64', 'http/post-base64.json', '!!not base64!!'],
    ['an empty body', 'http/post-json.json', ''],
  ])('reports %s as malformed', (_case, name, body) => {
    // Prepare
    const event = httpEvent(name);
    if (body !== undefined) event.body = body;
    // Act
    const act = () => routeHttpRequest(event);
    // Assess
    expect(act).toThrow(MalformedPayloadError);
  });

  it.each([
    ['application/json', true],
    ['Application/JSON; charset=UTF-8', true],
    ['application/merge-patch+json', true],
    ['application/json; charset=latin1', false],
    ['text/json', false],
    ['application/jsonp', false],
    [undefined, false],
  ])('treats the content type %p as JSON: %p', (contentType, expected) => {
    // Act
    const isJson = isJsonContentType(contentType);
    // Assess
    expect(isJson).toBe(expected);
  });
});
