import assert from 'node:assert/strict';
import { quotePsLiteral } from '../../src/powershell/quote.js';
import { PowerShellQuotingError } from '../../src/powershell/errors.js';

/**
 * Reads a single-quoted PowerShell literal the way PowerShell's tokenizer does: any of the five single-quote
 * characters ends it unless another single-quote character follows, in which case the second one is the literal
 * character. Returns the value and what follows the closing quote.
 */
function readPsLiteral(text: string): { value: string; rest: string } {
  const isQuote = (c: string | undefined): boolean => c !== undefined && "'\u2018\u2019\u201A\u201B".includes(c);
  assert.ok(isQuote(text[0]), 'must start with a quote');
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (isQuote(c)) {
      if (isQuote(text[i + 1])) {
        value += text[i + 1];
        i++;
        continue;
      }
      return { value, rest: text.slice(i + 1) };
    }
    value += c;
  }
  throw new Error('unterminated literal');
}

describe('powershell/quote quotePsLiteral', () => {
  it('wraps plain paths in single quotes', () => {
    assert.equal(quotePsLiteral('/tmp/hps-ps-abc/job.json'), "'/tmp/hps-ps-abc/job.json'");
    assert.equal(quotePsLiteral('C:\\Users\\admin\\AppData\\Local\\Temp\\job.json'), "'C:\\Users\\admin\\AppData\\Local\\Temp\\job.json'");
    assert.equal(quotePsLiteral(''), "''");
  });

  it("doubles the ASCII apostrophe", () => {
    assert.equal(quotePsLiteral("/tmp/o'brien/job.json"), "'/tmp/o''brien/job.json'");
  });

  it('doubles each Unicode single quote that PowerShell treats as a quote', () => {
    assert.equal(quotePsLiteral('a\u2018b'), "'a\u2018\u2018b'");
    assert.equal(quotePsLiteral('a\u2019b'), "'a\u2019\u2019b'");
    assert.equal(quotePsLiteral('a\u201Ab'), "'a\u201A\u201Ab'");
    assert.equal(quotePsLiteral('a\u201Bb'), "'a\u201B\u201Bb'");
  });

  it('leaves double quotes, $, backticks, semicolons and subexpressions as plain text', () => {
    const s = '/tmp/"x" $(Remove-Item /) `n ; & ${env:HOME} \u201Cdq\u201D';
    assert.equal(quotePsLiteral(s), `'${s}'`);
  });

  it('round-trips through a PowerShell-style tokenizer with nothing after the literal', () => {
    const nasty = [
      "/tmp/a'; Remove-Item -Recurse /; '",
      '/tmp/a\u2019; [IO.File]::WriteAllText(\u2018/tmp/pwned\u2019, 1); \u2018',
      "/tmp/'''\u2018\u2019\u201A\u201B'",
      '/tmp/trailing\u2019',
      "/tmp/ünï cødé/山田/job.json",
    ];
    for (const s of nasty) {
      const { value, rest } = readPsLiteral(quotePsLiteral(s));
      assert.equal(value, s);
      assert.equal(rest, '', `nothing may follow the literal for ${s}`);
    }
  });

  it('refuses NUL and line breaks', () => {
    for (const bad of ['a\u0000b', 'a\nb', 'a\rb', 'a\u0085b', 'a\u2028b', 'a\u2029b']) {
      assert.throws(() => quotePsLiteral(bad), PowerShellQuotingError);
    }
  });
});
