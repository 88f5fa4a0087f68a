import { describe, expect, it } from 'vitest';
import { sanitizeEmailHtml } from '../../../functions/adapters/mail/sanitize.js';

const clean = (html: string): string => sanitizeEmailHtml(html).html;

/** Things that must never appear in sanitised output, whatever the input. */
function expectInert(html: string): void {
  expect(html).not.toMatch(
    /<\s*(script|style|iframe|object|embed|form|input|button|svg|math|meta|link|base|textarea)\b/i,
  );
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/\s(style|class|id|srcset|background)\s*=/i);
  expect(html).not.toMatch(/(java|vb)script\s*:/i);
  expect(html).not.toMatch(/\s(href|src)\s*=\s*"\s*data:text/i);
}

describe('sanitizeEmailHtml: XSS vectors', () => {
  const vectors: [string, string][] = [
    ['img onerror', '<img src=x onerror=alert(1)>'],
    ['svg onload', '<svg onload=alert(1)><circle r="1"/></svg>'],
    ['javascript: link', '<a href="javascript:alert(1)">x</a>'],
    ['entity-encoded tab in scheme', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
    ['entity-encoded letters', '<a href="&#106;&#97;vascript:alert(1)">x</a>'],
    ['newline in scheme', '<a href="java\nscript:alert(1)">x</a>'],
    ['leading control characters', '<a href="\u0001 javascript:alert(1)">x</a>'],
    ['data:text/html link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
    ['vbscript link', '<a href="vbscript:msgbox(1)">x</a>'],
    [
      'style element',
      '<style>@import "http://evil.example/x.css"; body{background:url(javascript:alert(1))}</style>',
    ],
    ['style attribute', '<p style="background:url(javascript:alert(1))">x</p>'],
    [
      'math mutation',
      '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
    ],
    ['noscript mutation', '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>'],
    ['uppercase tags', '<SCRIPT>alert(1)</SCRIPT><IMG SRC=x ONERROR=alert(1)>'],
    ['unclosed script', '<script>alert(1)'],
    ['unclosed tag attribute', '<img src="x" onerror="alert(1)'],
    [
      'iframe',
      '<iframe src="javascript:alert(1)"></iframe><iframe srcdoc="<script>alert(1)</script>"></iframe>',
    ],
    ['object and embed', '<object data="x.swf"></object><embed src="x.swf">'],
    [
      'form controls',
      '<form action="https://evil.example"><input name=p><button formaction="javascript:1">Go</button></form>',
    ],
    [
      'meta refresh and base',
      '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href="https://evil.example/">',
    ],
    ['link stylesheet', '<link rel="stylesheet" href="https://evil.example/x.css">'],
    ['textarea breakout', '<textarea></textarea><img src=x onerror=alert(1)></textarea>'],
    ['svg in img data url', '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'],
    ['event on allowed tag', '<p onclick="alert(1)" onmouseover=alert(1)>x</p>'],
    ['attribute breakout', '<p title="&quot; onmouseover=&quot;alert(1)">x</p>'],
    [
      'srcset and background',
      '<img srcset="https://t.example/p.gif 1x"><table background="https://t.example/bg.gif">',
    ],
  ];

  it.each(vectors)('%s is neutralised', (_name, html) => {
    expectInert(clean(html));
  });

  it('drops the dangerous part but keeps the text of harmless content', () => {
    expect(clean('<SCRIPT>alert(1)</SCRIPT><P>Up</P>')).toBe('<p>Up</p>');
    expect(clean('<svg onload=alert(1)><text>drawn</text></svg><p>after</p>')).toBe('<p>after</p>');
    expect(clean('<style>p{}</style><p>hi</p>')).toBe('<p>hi</p>');
    expect(clean('<form><input value=x><button>Send</button></form>')).toBe('Send');
    expect(clean('<img src=x onerror=alert(1)>')).toBe('');
    expect(clean('<p>a &lt;script&gt; b</p>')).toBe('<p>a &lt;script&gt; b</p>');
  });

  it('closes unclosed tags', () => {
    expect(clean('<p>unclosed <b>bold <i>italic')).toBe('<p>unclosed <b>bold <i>italic</i></b></p>');
  });

  it('removes event handlers, style, class and id from allowed tags', () => {
    expect(clean('<p onclick="x" style="color:red" class="c" id="i">text</p>')).toBe('<p>text</p>');
  });
});

describe('sanitizeEmailHtml: links', () => {
  it('keeps http, https and mailto links and makes them open safely', () => {
    const html = clean(
      '<a href="https://example.com/?a=1&amp;b=2" title="t">site</a> <a href="mailto:a@example.com">mail</a>',
    );
    expect(html).toBe(
      '<a title="t" rel="noopener noreferrer nofollow" target="_blank" href="https://example.com/?a=1&amp;b=2">site</a> ' +
        '<a rel="noopener noreferrer nofollow" target="_blank" href="mailto:a@example.com">mail</a>',
    );
  });

  it('drops the href of other schemes and of relative links, keeping the text', () => {
    for (const href of [
      'javascript:alert(1)',
      'data:text/html,x',
      '/admin/delete',
      '#top',
      'ftp://x.example',
      'file:///etc/passwd',
    ]) {
      const html = clean(`<a href="${href}">label</a>`);
      expect(html).toBe('<a rel="noopener noreferrer nofollow" target="_blank">label</a>');
    }
  });

  it('overrides a rel or target the sender set', () => {
    const html = clean('<a href="https://x.example" target="_self" rel="opener">x</a>');
    expect(html).toContain(' rel="noopener noreferrer nofollow"');
    expect(html).toContain(' target="_blank"');
    expect(html).toContain(' href="https://x.example"');
    expect(html.match(/\s(rel|target)=/g)).toHaveLength(2);
  });
});

describe('sanitizeEmailHtml: images', () => {
  it('blocks remote images, keeps them as data-blocked-src with their alt, and counts them', () => {
    const result = sanitizeEmailHtml(
      '<img src="https://tracker.example/p.gif" alt="Logo" width="1" height="1"><img src="http://x.example/a.png"><img src="//cdn.example/b.png">',
    );
    expect(result.blockedRemoteImages).toBe(3);
    expect(result.html).toBe(
      '<img alt="Logo" width="1" height="1" data-blocked-src="https://tracker.example/p.gif" />' +
        '<img data-blocked-src="http://x.example/a.png" />' +
        '<img data-blocked-src="https://cdn.example/b.png" />',
    );
    expect(result.html).not.toMatch(/\ssrc=/);
  });

  it('resolves cid: images and drops those it cannot resolve', () => {
    const seen: string[] = [];
    const result = sanitizeEmailHtml(
      '<img src="cid:logo@x" alt="logo"><img src="cid:%3Cother@x%3E"><img src="cid:gone@x">',
      {
        resolveCid: (cid) => {
          seen.push(cid);
          return cid === 'gone@x' ? null : `/attachments/${encodeURIComponent(cid)}`;
        },
      },
    );
    expect(seen).toEqual(['logo@x', 'other@x', 'gone@x']);
    expect(result.html).toBe(
      '<img alt="logo" src="/attachments/logo%40x" /><img src="/attachments/other%40x" />',
    );
    expect(result.blockedRemoteImages).toBe(0);
  });

  it('drops cid: images when there is no resolver, and never keeps a javascript: URL a resolver returns', () => {
    expect(clean('<img src="cid:logo@x">')).toBe('');
    expect(sanitizeEmailHtml('<img src="cid:a@x">', { resolveCid: () => 'javascript:alert(1)' }).html).toBe(
      '',
    );
  });

  it('allows data: images of raster types only', () => {
    for (const type of ['png', 'gif', 'jpeg', 'webp']) {
      expect(clean(`<img src="data:image/${type};base64,AAAA">`)).toBe(
        `<img src="data:image/${type};base64,AAAA" />`,
      );
    }
    expect(clean('<img src="data:image/svg+xml;base64,AAAA">')).toBe('');
    expect(clean('<img src="data:text/html;base64,AAAA">')).toBe('');
  });
});

describe('sanitizeEmailHtml: formatting', () => {
  it('keeps the allowed formatting tags', () => {
    const html =
      '<div><p><b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><s>s</s><sub>1</sub><sup>2</sup><small>sm</small></p>' +
      '<blockquote>q</blockquote><pre><code>c</code></pre><ul><li>a</li></ul><ol start="3"><li>b</li></ol>' +
      '<dl><dt>t</dt><dd>d</dd></dl><h1>h1</h1><h6>h6</h6><hr /><br /><span>s</span></div>';
    expect(clean(html)).toBe(html);
  });

  it('keeps tables with colspan, rowspan and align but no other attributes', () => {
    expect(
      clean(
        '<table border="1" bgcolor="red"><caption>c</caption><colgroup><col span="2"></colgroup><thead><tr><th colspan="2" align="left">h</th></tr></thead>' +
          '<tbody><tr><td rowspan="2" align="center" onclick="x" valign="top">d</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>',
      ),
    ).toBe(
      '<table><caption>c</caption><colgroup><col span="2" /></colgroup><thead><tr><th colspan="2" align="left">h</th></tr></thead>' +
        '<tbody><tr><td rowspan="2" align="center">d</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>',
    );
  });

  it('keeps only a plain color on font', () => {
    expect(clean('<font color="#ff0000" face="Arial" size="7">a</font>')).toBe(
      '<font color="#ff0000">a</font>',
    );
    expect(clean('<font color="red;background:url(x)">b</font>')).toBe('<font>b</font>');
  });

  it('drops comments, head content and unknown tags but keeps their text', () => {
    expect(
      clean(
        '<html><head><title>T</title></head><body><!--[if mso]>x<![endif]--><x-card>card text</x-card></body></html>',
      ),
    ).toBe('card text');
  });
});
