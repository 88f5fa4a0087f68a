/**
 * Allow-list sanitising of inbound HTML mail before an agent's browser shows
 * it. Only formatting survives; nothing in the result can run script, submit a
 * form or load a remote resource: remote images are kept as
 * `data-blocked-src` for an explicit "show images" action.
 */
import sanitizeHtml from 'sanitize-html';

export interface SanitizeOptions {
  /** Returns a URL to show an inline image, or null. */
  resolveCid?: (contentId: string) => string | null;
}

const ALLOWED_TAGS = [
  'p',
  'div',
  'span',
  'br',
  'hr',
  'b',
  'strong',
  'i',
  'em',
  'u',
  's',
  'sub',
  'sup',
  'small',
  'font',
  'blockquote',
  'pre',
  'code',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'th',
  'td',
  'caption',
  'colgroup',
  'col',
  'a',
  'img',
];

const TABLE_ATTRIBUTES = ['align', 'colspan', 'rowspan'];

const ALLOWED_ATTRIBUTES: Record<string, sanitizeHtml.AllowedAttribute[]> = {
  a: ['href', 'title', 'rel', 'target'],
  img: ['src', 'alt', 'title', 'width', 'height', 'data-blocked-src'],
  font: ['color'],
  table: ['align', 'width'],
  td: TABLE_ATTRIBUTES,
  th: TABLE_ATTRIBUTES,
  tr: ['align'],
  thead: ['align'],
  tbody: ['align'],
  tfoot: ['align'],
  col: ['span', 'align'],
  colgroup: ['span', 'align'],
  ol: ['start', 'type'],
  '*': ['dir'],
};

/**
 * Disallowed elements whose content is dropped as well, not only the tags:
 * raw text, foreign content (svg, math) and things that were never visible.
 */
const DROP_CONTENT_OF = [
  'script',
  'style',
  'textarea',
  'option',
  'select',
  'xmp',
  'noscript',
  'noembed',
  'noframes',
  'title',
  'template',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'plaintext',
];

const LINK_SCHEMES = new Set(['http', 'https', 'mailto']);
const INLINE_IMAGE = /^data:image\/(png|gif|jpeg|webp);base64,[a-z0-9+/=\s]*$/i;
const COLOR = /^(#[0-9a-f]{3,8}|[a-z]{3,20}|rgba?\(\s*[\d.%\s,]+\))$/i;

/** Browsers ignore tabs and newlines anywhere in a URL, and leading/trailing C0 controls and spaces. */
function normaliseUrl(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed here
  return value.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
}

function schemeOf(url: string): string | null {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return match ? match[1]!.toLowerCase() : null;
}

/** A URL the browser would fetch from another host: http(s) or protocol-relative (also with backslashes). */
function remoteUrl(url: string): string | null {
  const scheme = schemeOf(url);
  if (scheme === 'http' || scheme === 'https') return url;
  if (scheme === null && /^[\\/]{2}/.test(url)) return `https://${url.replace(/^[\\/]+/, '')}`;
  return null;
}

export function sanitizeEmailHtml(
  html: string,
  options: SanitizeOptions = {},
): { html: string; blockedRemoteImages: number } {
  let blockedRemoteImages = 0;

  const transformLink: sanitizeHtml.Transformer = (_tagName, attribs) => {
    const { href: rawHref, ...rest } = attribs;
    const result: sanitizeHtml.Attributes = {
      ...rest,
      rel: 'noopener noreferrer nofollow',
      target: '_blank',
    };
    if (rawHref !== undefined) {
      const href = normaliseUrl(rawHref);
      const scheme = schemeOf(href);
      if (scheme !== null && LINK_SCHEMES.has(scheme)) result.href = href;
    }
    return { tagName: 'a', attribs: result };
  };

  const transformImage: sanitizeHtml.Transformer = (_tagName, attribs) => {
    const { src: rawSrc, 'data-blocked-src': _ignored, ...rest } = attribs;
    const result: sanitizeHtml.Attributes = { ...rest };
    const src = normaliseUrl(rawSrc ?? '');
    const scheme = schemeOf(src);
    if (scheme === 'cid') {
      let contentId = src.slice(4);
      try {
        contentId = decodeURIComponent(contentId);
      } catch {
        // keep it as written
      }
      contentId = contentId.trim().replace(/^<|>$/g, '');
      const resolved = contentId === '' ? null : (options.resolveCid?.(contentId) ?? null);
      if (resolved !== null) result.src = resolved;
    } else if (scheme === 'data') {
      if (INLINE_IMAGE.test(src)) result.src = src.replace(/\s+/g, '');
    } else {
      const remote = remoteUrl(src);
      if (remote !== null) {
        result['data-blocked-src'] = remote;
        blockedRemoteImages += 1;
      }
    }
    return { tagName: 'img', attribs: result };
  };

  const transformFont: sanitizeHtml.Transformer = (_tagName, attribs) => {
    const color = attribs.color?.trim();
    const result: sanitizeHtml.Attributes = {};
    if (color !== undefined && COLOR.test(color)) result.color = color;
    return { tagName: 'font', attribs: result };
  };

  const clean = sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ['http', 'https', 'mailto'],
    // The image transform has already checked which data: URLs pass; a URL
    // from resolveCid may be relative, http(s) or data: as well.
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowProtocolRelative: false,
    parseStyleAttributes: false,
    disallowedTagsMode: 'discard',
    nonTextTags: DROP_CONTENT_OF,
    selfClosing: ['img', 'br', 'hr', 'col'],
    enforceHtmlBoundary: false,
    transformTags: { a: transformLink, img: transformImage, font: transformFont },
    // An image left with neither a source nor a blocked source shows nothing.
    exclusiveFilter: (frame) =>
      frame.tag === 'img' && !frame.attribs.src && !frame.attribs['data-blocked-src'],
  });

  return { html: clean, blockedRemoteImages };
}
