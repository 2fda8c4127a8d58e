/**
 * The console's pure parts: escaping, overlap shares, audience links, failure reasons in words.
 * (The pages themselves are tested in a real browser: test/browser/console.spec.ts.)
 */
import { describe, expect, it } from 'vitest';
import { audienceLink } from '../src/console/audience-links.js';
import { audienceOverlap } from '../src/console/audience-overlap.js';
import { errorInWords, failureCodeInWords } from '../src/console/failure-words.js';
import { html, rawHtml } from '../src/console/html.js';

describe('html templates', () => {
  it('escapes interpolated text but not nested templates', () => {
    const name = `<script>alert("x")</script> & 'q'`;
    expect(html`<td title="${name}">${name}</td>`.text).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</td>',
    );
    expect(html`<ul>${['a<b', 'c'].map((item) => html`<li>${item}</li>`)}</ul>`.text).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
    expect(html`${rawHtml('<br>')}${undefined}${null}${false}${0}`.text).toBe('<br>0');
  });
});

describe('audienceOverlap', () => {
  it('gives each pair the members they share and each audience its size', () => {
    const matrix = audienceOverlap([
      { key: 'a', label: 'footwear', campaign: 'new-arrivals', memberHashes: ['h1', 'h2', 'h3', 'h4'] },
      { key: 'b', label: 'jewelry', campaign: 'new-arrivals', memberHashes: ['h3', 'h4', 'h5'] },
      { key: 'c', label: 'lantern', campaign: 'winter-clearance', memberHashes: ['h9'] },
    ]);
    expect(matrix.audiences.map((audience) => audience.members)).toEqual([4, 3, 1]);
    expect(matrix.shared).toEqual([
      [4, 2, 0],
      [2, 3, 0],
      [0, 0, 1],
    ]);
  });
});

describe('audienceLink', () => {
  const links = {
    cwd: '/srv/shop',
    mailchimp: { server: 'us21', webIds: new Map([['a1b2c3', 412345]]) },
    hubspot: { portalId: '24681357', uiDomain: 'app-eu1.hubspot.com' },
  };

  it("opens Mailchimp's tag view of the audience by its web id and the tag id", () => {
    const link = audienceLink({ connector: 'mailchimp', name: 'affinity footwear', externalId: '7007', containerId: 'a1b2c3' }, links);
    expect(link.href).toBe('https://us21.admin.mailchimp.com/lists/segments/members/tags-filter?list_id=412345&tag_ids%5B%5D=7007');
    expect(link.text).toBe('tag “affinity footwear” in audience a1b2c3');
  });

  it('opens the HubSpot list page of the portal on its UI domain', () => {
    const link = audienceLink({ connector: 'hubspot', name: 'affinity jewelry', externalId: '123' }, links);
    expect(link.href).toBe('https://app-eu1.hubspot.com/contacts/24681357/objectLists/123');
  });

  it('names the file relative to the working directory', () => {
    const link = audienceLink({ connector: 'file', name: 'x', externalId: '/srv/shop/out/audiences/x.csv' }, links);
    expect(link).toEqual({ text: 'out/audiences/x.csv', href: 'file:///srv/shop/out/audiences/x.csv' });
  });

  it('says what to set when the vendor ids are unknown', () => {
    expect(audienceLink({ connector: 'hubspot', name: 'l', externalId: '9' }, { cwd: '/' })).toEqual({
      text: 'list “l” (id 9)',
      hint: 'no link: set HUBSPOT_PORTAL_ID (or HUBSPOT_ACCESS_TOKEN) for the dashboard',
    });
    expect(audienceLink({ connector: 'mailchimp', name: 't', externalId: '1', containerId: 'zz' }, { cwd: '/' })).toEqual({
      text: 'tag “t” in audience zz',
      hint: 'no link: set MAILCHIMP_API_KEY for the dashboard to look up the audience',
    });
    // The key is set, but Mailchimp did not know the audience: the hint must not blame the key.
    expect(audienceLink({ connector: 'mailchimp', name: 't', externalId: '1', containerId: 'zz' }, links)).toEqual({
      text: 'tag “t” in audience zz',
      hint: 'no link: Mailchimp did not find this audience when the dashboard started (see its first lines on stderr)',
    });
  });
});

describe('failure reasons in words', () => {
  it('drops stack frames and the error class from a message', () => {
    const failedReason = 'ConfigError: campaign.yaml: segment.numResults: expected a number\n    at loadCampaign (/app/dist/src/campaign/load-campaign.js:40:11)\n    at async run';
    expect(errorInWords(failedReason)).toBe('campaign.yaml: segment.numResults: expected a number');
  });

  it('explains connector codes, and names unknown ones', () => {
    expect(failureCodeInWords('Member In Compliance State', 'mailchimp')).toBe('Mailchimp refused: the person unsubscribed, bounced or is under compliance review');
    expect(failureCodeInWords('WEIRD', 'hubspot')).toBe('hubspot rejected the record (code "WEIRD")');
  });
});
