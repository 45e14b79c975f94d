// The relay's HTTP API end to end over a real socket: schema errors, each rejection reason with its
// status, signatures and replays, size and rate limits, metrics and the OpenAPI document. Real bb verifies
// real example-rollup proofs; the store is a real SQLite file; the chain is the FakeMarket double.
import { expect } from 'chai';
import { bytesToHex, parseEther, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { FIELD_MODULUS, type Receipt, marketDomain, statementDigest, verifyReceipt } from '../../prover/protocol/index.js';
import { KEYS, relayAccount, startTestRelay, type TestRelay } from './helpers/relay.js';
import { bodyOf, exampleSet, signSubmission, type ExampleSet, type SignOptions } from './helpers/requests.js';

const alice = privateKeyToAccount(KEYS.alice);
const bob = privateKeyToAccount(KEYS.bob);
const FEE = 10n ** 15n;

describe('[proofs] relay HTTP API', function () {
  this.timeout(120_000);

  // The example proofs (and, on a checkout without a circuit build, the build itself) under their own timeout.
  before(async function () {
    this.timeout(60 * 60_000);
    await exampleSet();
  });
  let ex: ExampleSet;
  let t: TestRelay;

  before(async () => {
    ex = await exampleSet();
  });

  beforeEach(async () => {
    t = await startTestRelay();
    t.chain.register(ex.counter);
    t.chain.register(ex.transfer);
    t.chain.deposit(alice.address, parseEther('1'));
  });

  afterEach(async () => {
    await t.close();
  });

  const sign = (o: Partial<SignOptions> = {}) =>
    signSubmission({
      account: alice,
      domain: t.chain.domain,
      programId: ex.counter.programId,
      statements: ex.counterStatements.slice(0, 2),
      feePerProof: FEE,
      nonce: 0n,
      deadline: t.clock.t + 600,
      ...o,
    });

  const expectRejected = (res: { status: number; body: any }, status: number, reason: string) => {
    expect(res.body, JSON.stringify(res.body)).to.include({ statusCode: status, error: reason });
    expect(res.status).to.equal(status);
    expect(res.body.message).to.be.a('string').and.not.equal('');
  };

  describe('accepting', () => {
    it('verifies, persists and acknowledges a valid request with a signed receipt', async () => {
      const s = await sign();
      const res = await t.post('/v1/requests', s.body);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const receipt = res.body as Receipt;
      expect(receipt).to.deep.equal({
        requestHash: s.hash,
        payer: alice.address,
        relay: relayAccount.address,
        acceptedAt: t.clock.t,
        postBy: t.clock.t + 60 + 30,
        signature: receipt.signature,
      });
      expect(await verifyReceipt(receipt)).to.equal(true);
      expect(await verifyReceipt({ ...receipt, postBy: receipt.postBy + 1 })).to.equal(false);

      const view = await t.get(`/v1/requests/${s.hash}`);
      expect(view.status).to.equal(200);
      expect(view.body).to.deep.include({ requestHash: s.hash, payer: alice.address, status: 'accepted', digests: s.digests });
      expect(view.body.receipt).to.deep.equal(receipt);
      expect(view.body.request).to.deep.equal(s.body.request);

      const proof = await t.get(`/v1/proofs/${s.digests[1]}`);
      expect(proof.status).to.equal(200);
      expect(proof.body).to.deep.include({
        digest: s.digests[1],
        programId: ex.counter.programId,
        requestHash: s.hash,
        status: 'accepted',
      });
      expect(proof.body.publicInputs).to.deep.equal(ex.counterStatements[1]!.publicInputs);
      expect(proof.body.proof).to.equal(bytesToHex(ex.counterStatements[1]!.proof));
    });

    it('caps postBy at the deadline', async () => {
      const slow = await startTestRelay({ chain: t.chain, clock: t.clock, config: { postTimeoutSeconds: 300 } });
      try {
        const res = await slow.post('/v1/requests', (await sign({ deadline: t.clock.t + 200 })).body);
        expect(res.status).to.equal(201);
        expect(res.body.postBy).to.equal(t.clock.t + 200);
      } finally {
        await slow.close();
      }
    });

    it('keeps a copy of a request signed by another payer apart (a squatter cannot shadow it)', async () => {
      t.chain.deposit(bob.address, parseEther('1'));
      const copy = await sign({ account: bob });
      const mine = await sign();
      expect(copy.hash).to.equal(mine.hash);
      const first = await t.post('/v1/requests', copy.body);
      const second = await t.post('/v1/requests', mine.body);
      expect(first.status).to.equal(201);
      expect(second.status).to.equal(201);
      expect(second.body.payer).to.equal(alice.address);
      expect(first.body.payer).to.equal(bob.address);
      expect((await t.relay.store.stats()).requests.accepted).to.equal(2);
      expectRejected(await t.get(`/v1/requests/${mine.hash}`), 409, 'ambiguous');
      const view = await t.get(`/v1/requests/${mine.hash}?payer=${alice.address}`);
      expect(view.status).to.equal(200);
      expect(view.body.receipt).to.deep.equal(second.body);
    });

    it('acknowledges the same request again with the same receipt and stores it once', async () => {
      const s = await sign();
      const first = await t.post('/v1/requests', s.body);
      t.clock.advance(7);
      const again = await t.post('/v1/requests', s.body);
      expect(first.status).to.equal(201);
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      const stats = await t.relay.store.stats();
      expect(stats.requests.accepted).to.equal(1);
      expect(stats.queuedStatements).to.equal(2);
      // The replay is not charged against the deposit twice either.
      expect(await t.relay.store.reservedOf(alice.address)).to.equal(2n * FEE);
    });

    it('takes a request of a 2-input program', async () => {
      const s = await sign({ programId: ex.transfer.programId, statements: ex.transferStatements });
      expect((await t.post('/v1/requests', s.body)).status).to.equal(201);
    });

    it('accepts the same statement in two requests (statements are not unique)', async () => {
      const a = await sign({ statements: ex.counterStatements.slice(0, 1), nonce: 0n });
      const b = await sign({ statements: ex.counterStatements.slice(0, 1), nonce: 1n });
      expect((await t.post('/v1/requests', a.body)).status).to.equal(201);
      expect((await t.post('/v1/requests', b.body)).status).to.equal(201);
      expect(a.digests).to.deep.equal(b.digests);
    });
  });

  describe('schema', () => {
    it('refuses malformed bodies with 400 invalid-body', async () => {
      const s = await sign();
      const cases: unknown[] = [
        { ...s.body, payer: undefined },
        { ...s.body, extra: 1 },
        { ...s.body, request: { ...s.body.request, feePerProof: 1000 } },
        { ...s.body, request: { ...s.body.request, nonce: '-1' } },
        { ...s.body, request: { ...s.body.request, programId: '0x1234' } },
        { ...s.body, signature: '0xzz' },
        { ...s.body, statements: [] },
        { ...s.body, statements: [{ publicInputs: [], proof: '0x' }] },
        { ...s.body, statements: [{ publicInputs: s.body.statements[0]!.publicInputs, proof: '0xabc' }] },
        { ...s.body, request: { ...s.body.request, count: 0 } },
      ];
      for (const body of cases) expectRejected(await t.post('/v1/requests', body), 400, 'invalid-body');
      expectRejected(await t.post('/v1/requests', '{"payer": '), 400, 'FST_ERR_CTP_INVALID_JSON_BODY');
      const wrongType = await t.post('/v1/requests', '<x/>', { 'content-type': 'application/xml' });
      expect(wrongType.status).to.equal(415);
      expectRejected(await t.get('/v1/requests/0x1234'), 400, 'invalid-params');
      expectRejected(await t.get(`/v1/requests/0x${'11'.repeat(32)}?payer=bob`), 400, 'invalid-querystring');
      expect((await t.relay.store.stats()).requests.accepted).to.equal(0);
    });

    it('answers 404 for unknown requests, proofs and routes', async () => {
      expectRejected(await t.get(`/v1/requests/0x${'11'.repeat(32)}`), 404, 'not-found');
      expectRejected(await t.get(`/v1/proofs/0x${'11'.repeat(32)}`), 404, 'not-found');
      expectRejected(await t.get('/v2/nothing'), 404, 'not-found');
    });
  });

  describe('rejections', () => {
    it('400 non-canonical-input: a public input >= r', async () => {
      const s = await sign();
      const body = structuredClone(s.body);
      body.statements[0]!.publicInputs[0] = `0x${FIELD_MODULUS.toString(16).padStart(64, '0')}`;
      expectRejected(await t.post('/v1/requests', body), 400, 'non-canonical-input');
    });

    it('422 too-many-statements beyond the per-request limit', async () => {
      const statements = Array.from({ length: 9 }, (_, i) => ex.counterStatements[i % 4]!);
      const s = await sign({ statements });
      const res = await t.post('/v1/requests', s.body);
      expectRejected(res, 422, 'too-many-statements');
      expect(res.body.details).to.deep.equal({ limit: 8 });
    });

    it('422 count-mismatch and statements-mismatch: statements that are not the signed ones', async () => {
      const s = await sign();
      const fewer = { ...s.body, statements: s.body.statements.slice(0, 1) };
      expectRejected(await t.post('/v1/requests', fewer), 422, 'count-mismatch');
      const altered = structuredClone(s.body);
      altered.statements[1] = bodyOf(alice.address, s.request, '0x', [ex.counterStatements[3]!]).statements[0]!;
      expectRejected(await t.post('/v1/requests', altered), 422, 'statements-mismatch');
      const swapped = { ...s.body, statements: [s.body.statements[1]!, s.body.statements[0]!] };
      expectRejected(await t.post('/v1/requests', swapped), 422, 'statements-mismatch');
    });

    it('422 bad-signature: altered fee, nonce or deadline, another chain id or market, another signer, malformed signature', async () => {
      const s = await sign();
      const altered = [
        { ...s.body, request: { ...s.body.request, feePerProof: (FEE + 1n).toString() } },
        { ...s.body, request: { ...s.body.request, nonce: '1' } },
        { ...s.body, request: { ...s.body.request, deadline: s.body.request.deadline + 1 } },
        { ...s.body, payer: bob.address },
      ];
      for (const body of altered) expectRejected(await t.post('/v1/requests', body), 422, 'bad-signature');
      const otherChain = await sign({ domain: marketDomain(1, t.chain.market) });
      expectRejected(await t.post('/v1/requests', otherChain.body), 422, 'bad-signature');
      const otherMarket = await sign({ domain: marketDomain(t.chain.chainId, '0x0000000000000000000000000000000000000bad') });
      expectRejected(await t.post('/v1/requests', otherMarket.body), 422, 'bad-signature');
      const byBob = await sign({ account: bob });
      expectRejected(await t.post('/v1/requests', { ...byBob.body, payer: alice.address }), 422, 'bad-signature');
      const malformed = { ...s.body, signature: `0x${'00'.repeat(64)}1b` };
      expectRejected(await t.post('/v1/requests', malformed), 422, 'bad-signature');
      expect((await t.relay.store.stats()).requests.accepted).to.equal(0);
    });

    it('422 deadline-passed, deadline-too-close, deadline-too-far', async () => {
      expectRejected(await t.post('/v1/requests', (await sign({ deadline: t.clock.t })).body), 422, 'deadline-passed');
      expectRejected(await t.post('/v1/requests', (await sign({ deadline: t.clock.t + 119 })).body), 422, 'deadline-too-close');
      expectRejected(await t.post('/v1/requests', (await sign({ deadline: t.clock.t + 3601 })).body), 422, 'deadline-too-far');
      expect((await t.post('/v1/requests', (await sign({ deadline: t.clock.t + 3600 })).body)).status).to.equal(201);
    });

    it('402 fee-below-minimum', async () => {
      t.chain.minFeePerProof = FEE + 1n;
      const res = await t.post('/v1/requests', (await sign()).body);
      expectRejected(res, 402, 'fee-below-minimum');
      expect(res.body.details).to.deep.equal({ minFeePerProof: (FEE + 1n).toString() });
    });

    it('422 program-unknown and input-count-mismatch', async () => {
      const unknown = await sign({ programId: `0x${'42'.repeat(32)}` });
      expectRejected(await t.post('/v1/requests', unknown.body), 422, 'program-unknown');
      const wrongCount = await sign({ statements: ex.transferStatements });
      expectRejected(await t.post('/v1/requests', wrongCount.body), 422, 'input-count-mismatch');
    });

    it('422 proof-length: a proof of another length than the version takes', async () => {
      const short = { ...ex.counterStatements[0]!, proof: ex.counterStatements[0]!.proof.slice(0, 14_624) };
      expectRejected(await t.post('/v1/requests', (await sign({ statements: [short] })).body), 422, 'proof-length');
    });

    it('409 nonce-used below the account nonce, 409 nonce-conflict for another request with a held nonce', async () => {
      t.chain.accounts.get(alice.address.toLowerCase())!.nonce = 5n;
      expectRejected(await t.post('/v1/requests', (await sign({ nonce: 4n })).body), 409, 'nonce-used');
      expect((await t.post('/v1/requests', (await sign({ nonce: 5n })).body)).status).to.equal(201);
      const other = await sign({ nonce: 5n, statements: ex.counterStatements.slice(2, 3) });
      expectRejected(await t.post('/v1/requests', other.body), 409, 'nonce-conflict');
      // A later nonce is fine: it will be posted after nonce 5.
      expect(
        (await t.post('/v1/requests', (await sign({ nonce: 9n, statements: ex.counterStatements.slice(2, 3) })).body)).status,
      ).to.equal(201);
    });

    it('402 insufficient-deposit counts what the relay accepted and has not posted, and pending withdrawals', async () => {
      t.chain.accounts.get(alice.address.toLowerCase())!.balance = 3n * FEE;
      expect((await t.post('/v1/requests', (await sign({ nonce: 0n })).body)).status).to.equal(201);
      const res = await t.post('/v1/requests', (await sign({ nonce: 1n })).body);
      expectRejected(res, 402, 'insufficient-deposit');
      expect(res.body.details).to.deep.equal({ cost: (2n * FEE).toString(), free: (3n * FEE).toString(), reserved: (2n * FEE).toString() });
      expect(
        (await t.post('/v1/requests', (await sign({ nonce: 1n, statements: ex.counterStatements.slice(0, 1) })).body)).status,
      ).to.equal(201);
      t.chain.deposit(bob.address, 2n * FEE);
      t.chain.requestWithdrawal(bob.address, FEE);
      expectRejected(await t.post('/v1/requests', (await sign({ account: bob })).body), 402, 'insufficient-deposit');
      const unfunded = privateKeyToAccount(KEYS.carol);
      expectRejected(await t.post('/v1/requests', (await sign({ account: unfunded })).body), 402, 'insufficient-deposit');
    });

    it('422 invalid-proof: bb refuses a tampered proof and nothing is stored', async () => {
      const s = await sign({ statements: [ex.counterStatements[0]!, ex.tampered] });
      const res = await t.post('/v1/requests', s.body);
      expectRejected(res, 422, 'invalid-proof');
      expect(res.body.details).to.deep.equal({ statement: 1 });
      expect((await t.get(`/v1/requests/${s.hash}`)).status).to.equal(404);
      expect((await t.get(`/v1/proofs/${s.digests[0]}`)).status).to.equal(404);
      // A proof of another statement does not pass for this one either.
      const swapped = { publicInputs: ex.counterStatements[0]!.publicInputs, proof: ex.counterStatements[1]!.proof };
      expectRejected(await t.post('/v1/requests', (await sign({ statements: [swapped] })).body), 422, 'invalid-proof');
    });

    it('503 chain-unavailable with Retry-After when the chain cannot be read', async () => {
      t.chain.failReads = true;
      const res = await t.post('/v1/requests', (await sign()).body);
      expectRejected(res, 503, 'chain-unavailable');
      expect(res.headers.get('retry-after')).to.equal('5');
    });
  });

  describe('replay', () => {
    it('a request posted on chain is refused by another relay (nonce used) and known to this one', async () => {
      const s = await sign();
      const first = await t.post('/v1/requests', s.body);
      await t.chain.postAsOther({ groups: [{ request: s.request, signature: s.body.signature as Hex }], digests: s.digests });
      expect(t.chain.accounts.get(alice.address.toLowerCase())!.nonce).to.equal(1n);
      const again = await t.post('/v1/requests', s.body);
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      const other = await startTestRelay({ chain: t.chain, clock: t.clock });
      try {
        expectRejected(await other.post('/v1/requests', s.body), 409, 'nonce-used');
      } finally {
        await other.close();
      }
    });
  });

  describe('limits', () => {
    it('413 body-too-large over the body limit', async () => {
      const small = await startTestRelay({ chain: t.chain, clock: t.clock, config: { limits: { bodyLimitBytes: 20_000 } } });
      try {
        const res = await small.post('/v1/requests', (await sign()).body);
        expectRejected(res, 413, 'body-too-large');
      } finally {
        await small.close();
      }
    });

    it('429 with Retry-After past the per-IP limit; /healthz and /metrics are not limited', async () => {
      const limited = await startTestRelay({ chain: t.chain, clock: t.clock, config: { limits: { ipPerMinute: 3 } } });
      try {
        for (let i = 0; i < 3; i++) expect((await limited.get('/v1/status')).status).to.equal(200);
        const res = await limited.get('/v1/status');
        expectRejected(res, 429, 'rate-limited');
        expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60);
        expect((await limited.get('/healthz')).status).to.equal(200);
        const metrics = await limited.get('/metrics');
        expect(metrics.status).to.equal(200);
        expect(metrics.text).to.match(/nex_relay_rate_limited_total\{scope="ip"\} 1/);
      } finally {
        await limited.close();
      }
    });

    it('keys the per-IP limit on X-Forwarded-For only when told to trust a proxy', async () => {
      const proxied = await startTestRelay({
        chain: t.chain,
        clock: t.clock,
        config: { limits: { ipPerMinute: 1 }, listen: { trustProxy: true } },
      });
      const direct = await startTestRelay({ chain: t.chain, clock: t.clock, config: { limits: { ipPerMinute: 1 } } });
      try {
        const via = (ip: string) => fetch(`${proxied.relay.url}/v1/status`, { headers: { 'x-forwarded-for': ip } }).then((r) => r.status);
        expect([await via('10.0.0.1'), await via('10.0.0.2'), await via('10.0.0.1')]).to.deep.equal([200, 200, 429]);
        const spoof = (ip: string) => fetch(`${direct.relay.url}/v1/status`, { headers: { 'x-forwarded-for': ip } }).then((r) => r.status);
        expect([await spoof('10.0.0.1'), await spoof('10.0.0.2')]).to.deep.equal([200, 429]);
      } finally {
        await proxied.close();
        await direct.close();
      }
    });

    it('429 with Retry-After past the per-payer limit, whatever the request; other payers go on', async () => {
      const limited = await startTestRelay({ chain: t.chain, clock: t.clock, config: { limits: { payerPerMinute: 2 } } });
      try {
        t.chain.deposit(bob.address, parseEther('1'));
        expect((await limited.post('/v1/requests', (await sign({ nonce: 0n })).body)).status).to.equal(201);
        expect((await limited.post('/v1/requests', (await sign({ nonce: 1n })).body)).status).to.equal(201);
        const res = await limited.post('/v1/requests', (await sign({ nonce: 2n })).body);
        expectRejected(res, 429, 'rate-limited');
        expect(res.body.message).to.include(alice.address);
        expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60);
        expect((await limited.post('/v1/requests', (await sign({ account: bob })).body)).status).to.equal(201);
        // A forged body naming alice as payer is refused before it can use up alice's quota.
        expectRejected(
          await limited.post('/v1/requests', { ...(await sign({ account: bob, nonce: 1n })).body, payer: alice.address }),
          422,
          'bad-signature',
        );
      } finally {
        await limited.close();
      }
    });

    it('503 busy with Retry-After when the verification queue is full', async () => {
      const slow = {
        pending: [] as (() => void)[],
        verify(): Promise<boolean> {
          return new Promise((resolve) => slow.pending.push(() => resolve(true)));
        },
        close: async () => undefined,
      };
      const { serialQueue } = await import('../../prover/relay/verify.js');
      const enqueue = serialQueue(1);
      const busy = await startTestRelay({
        chain: t.chain,
        clock: t.clock,
        verifier: { verify: () => enqueue(() => slow.verify()), close: slow.close },
      });
      try {
        const first = busy.post('/v1/requests', (await sign({ statements: ex.counterStatements.slice(0, 1) })).body);
        while (slow.pending.length === 0) await new Promise((r) => setTimeout(r, 10));
        const res = await busy.post('/v1/requests', (await sign({ nonce: 1n, statements: ex.counterStatements.slice(1, 2) })).body);
        expectRejected(res, 503, 'busy');
        expect(res.headers.get('retry-after')).to.equal('5');
        slow.pending.shift()!();
        expect((await first).status).to.equal(201);
      } finally {
        await busy.close();
      }
    });
  });

  describe('operations', () => {
    it('/metrics counts submissions by result and reason, accepted statements and verification time', async () => {
      const s = await sign();
      await t.post('/v1/requests', s.body);
      await t.post('/v1/requests', s.body);
      await t.post('/v1/requests', (await sign({ nonce: 1n, statements: [ex.tampered] })).body);
      await t.post('/v1/requests', { nope: true });
      const m = await t.get('/metrics');
      expect(m.status).to.equal(200);
      expect(m.headers.get('content-type')).to.match(/^text\/plain/);
      expect(m.text).to.match(/nex_relay_submissions_total\{result="accepted",reason=""\} 1/);
      expect(m.text).to.match(/nex_relay_submissions_total\{result="duplicate",reason=""\} 1/);
      expect(m.text).to.match(/nex_relay_submissions_total\{result="rejected",reason="invalid-proof"\} 1/);
      expect(m.text).to.match(/nex_relay_submissions_total\{result="rejected",reason="invalid-body"\} 1/);
      expect(m.text).to.match(/nex_relay_statements_accepted_total 2/);
      expect(m.text).to.match(/nex_relay_verify_seconds_count 3/);
      expect(m.text).to.match(/nex_relay_process_resident_memory_bytes \d+/);
    });

    it('/v1/status and /healthz describe the relay', async () => {
      await t.post('/v1/requests', (await sign()).body);
      const s = await t.get('/v1/status');
      expect(s.status).to.equal(200);
      expect(s.body).to.deep.include({
        relay: relayAccount.address,
        chainId: 31337,
        market: t.chain.market,
        store: 'sqlite',
        capacity: 8,
        queuedStatements: 2,
        openPosts: 0,
      });
      expect(s.body.requests).to.deep.include({ accepted: 1, posted: 0 });
      const h = await t.get('/healthz');
      expect(h.status).to.equal(200);
      expect(h.body).to.deep.equal({ ok: true, store: 'ok', loop: 'ok' });
    });

    it('/openapi.json documents every route, the body schema and the error shape', async () => {
      const res = await t.get('/openapi.json');
      expect(res.status).to.equal(200);
      const doc = res.body;
      expect(doc.openapi).to.equal('3.0.3');
      expect(Object.keys(doc.paths)).to.include.members([
        '/v1/requests',
        '/v1/requests/{hash}',
        '/v1/proofs/{digest}',
        '/v1/status',
        '/healthz',
        '/metrics',
      ]);
      const post = doc.paths['/v1/requests'].post;
      const body = post.requestBody.content['application/json'].schema;
      expect(body.required).to.deep.equal(['payer', 'request', 'signature', 'statements']);
      expect(body.properties.request.required).to.include.members([
        'programId',
        'statementsHash',
        'count',
        'feePerProof',
        'nonce',
        'deadline',
      ]);
      expect(Object.keys(post.responses)).to.include.members(['200', '201', '4XX', '5XX']);
      expect(JSON.stringify(doc.components.schemas)).to.include('requestHash');
    });
  });

  it('digests follow spec V2.2 for the submitted statements', async () => {
    const s = await sign();
    expect(s.digests).to.deep.equal(ex.counterStatements.slice(0, 2).map((st) => statementDigest(ex.counter.programId, st.publicInputs)));
  });
});
