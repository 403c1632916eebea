import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  formatDuration,
  type NotificationData,
  notificationKinds,
  renderNotification,
  requestLink,
} from './notification-templates.ts';

const data: NotificationData = {
  requestId: 'req_01JABCDEF',
  requesterName: 'Joe User',
  accountName: 'root@db01',
  reason: 'Patch the kernel (CHG-1234)',
  ticketId: 'CHG-1234',
  durationMinutes: 90,
  decidedBy: 'Ann Approver',
  comment: 'OK, within the change window',
  endsAt: '2025-03-01T14:30:00.000Z',
  portalUrl: 'https://acme.strongroom.example',
};
const link = 'https://acme.strongroom.example/requests/req_01JABCDEF';

describe('renderNotification', () => {
  it('renders every kind with a distinct one-line subject and title, the details and the link', () => {
    const subjects = new Set<string>();
    for (const kind of notificationKinds) {
      const rendered = renderNotification(kind, data);
      for (const line of [rendered.subject, rendered.title]) {
        assert.ok(line.length > 0 && line.length <= 200, `${kind}: ${line}`);
        assert.doesNotMatch(line, /[\r\n]/);
      }
      assert.match(rendered.subject, /root@db01/, kind);
      subjects.add(rendered.subject);
      for (const body of [rendered.text, rendered.html]) {
        assert.ok(body.includes(link), `${kind}: no link`);
        assert.ok(body.includes('root@db01'), `${kind}: no account`);
        assert.ok(body.includes('Joe User'), `${kind}: no requester`);
        assert.ok(body.includes('1 hour 30 minutes'), `${kind}: no duration`);
        assert.ok(body.includes('CHG-1234'), `${kind}: no ticket`);
        assert.ok(body.includes('Patch the kernel'), `${kind}: no reason`);
        const decided = ['request-approved', 'request-denied', 'request-cancelled', 'release-revoked'];
        assert.equal(body.includes('Ann Approver'), decided.includes(kind), `${kind}: decider`);
        const ends = ['request-approved', 'release-expired'];
        assert.equal(body.includes('2025-03-01 14:30 UTC'), ends.includes(kind), `${kind}: end`);
      }
      assert.ok(rendered.html.includes(`<a href="${link}"`), `${kind}: no anchor`);
      assert.match(rendered.html, /^<!DOCTYPE html>/);
    }
    assert.equal(subjects.size, notificationKinds.length);
  });

  it('asks approvers for a decision, and tells requesters the outcome', () => {
    assert.match(renderNotification('approval-requested', data).subject, /^Approval needed: Joe User/);
    assert.match(renderNotification('approval-requested', data).text, /waiting for your decision/);
    assert.match(renderNotification('request-approved', data).text, /approved by Ann Approver/);
    assert.match(renderNotification('request-approved', data).text, /ends at 2025-03-01 14:30 UTC/);
    assert.match(renderNotification('request-denied', data).text, /denied by Ann Approver/);
    assert.match(renderNotification('release-revoked', data).text, /revoked by Ann Approver/);
    assert.match(renderNotification('request-expired', data).text, /expired before it was decided/);
  });

  it('escapes every value in the HTML', () => {
    const hostile: NotificationData = {
      ...data,
      requestId: 'req_"><script>x</script>',
      requesterName: '<img src=x onerror=alert(1)>',
      accountName: 'root@"db01"&<b>',
      reason: '<script>alert("reason")</script>',
      ticketId: "CHG-'1'<",
      decidedBy: '<i>boss</i>',
      comment: 'fine </p><script>alert(2)</script>',
    };
    for (const kind of notificationKinds) {
      const { html, text } = renderNotification(kind, hostile);
      assert.doesNotMatch(html, /<script|<img|<i>|<b>/i, kind);
      assert.ok(html.includes('&lt;script&gt;alert(&quot;reason&quot;)&lt;/script&gt;'), kind);
      assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), kind);
      assert.ok(html.includes('root@&quot;db01&quot;&amp;&lt;b&gt;'), kind);
      assert.ok(html.includes('CHG-&#39;1&#39;&lt;'), kind);
      // The id is path-encoded in the link, which is escaped again in the attribute.
      assert.ok(
        html.includes(
          'href="https://acme.strongroom.example/requests/req_%22%3E%3Cscript%3Ex%3C%2Fscript%3E"',
        ),
      );
      // Plain text is not HTML: values appear as given.
      assert.ok(text.includes('<script>alert("reason")</script>'), kind);
    }
  });

  it('keeps line breaks and control characters out of subjects and titles, and shortens long names', () => {
    const rendered = renderNotification('approval-requested', {
      ...data,
      requesterName: 'Joe\r\nBcc: victim@example.com',
      accountName: `root@${'x'.repeat(500)}\u202e`,
    });
    assert.doesNotMatch(rendered.subject, /[\r\n\u202e]/);
    assert.doesNotMatch(rendered.title, /[\r\n\u202e]/);
    assert.ok(rendered.subject.includes('Joe Bcc: victim@example.com'));
    assert.ok(rendered.subject.length <= 200);
    assert.ok(rendered.subject.includes('…'));
  });

  it('keeps the reason’s line breaks in the bodies', () => {
    const rendered = renderNotification('approval-requested', {
      ...data,
      reason: 'line one\r\nline two\u0007',
    });
    assert.ok(rendered.text.includes('line one\nline two'));
    assert.ok(!rendered.text.includes('\r') && !rendered.text.includes('\u0007'));
    assert.ok(rendered.html.includes('line one\nline two'));
  });

  it('leaves out what is not there', () => {
    const rendered = renderNotification('approval-requested', {
      ...data,
      reason: null,
      ticketId: null,
      decidedBy: null,
      comment: null,
      endsAt: null,
    });
    assert.doesNotMatch(rendered.text, /Reason|Ticket|Comment|Ends at|Decided by|null/);
    assert.match(renderNotification('request-denied', { ...data, decidedBy: null }).text, /was denied\./);
  });

  it('builds the link from the portal URL (trailing slash or not), and refuses a non-http(s) portal', () => {
    assert.equal(
      requestLink('https://acme.strongroom.example/', 'req_1'),
      'https://acme.strongroom.example/requests/req_1',
    );
    assert.equal(requestLink('http://127.0.0.1:5173', 'req_1'), 'http://127.0.0.1:5173/requests/req_1');
    assert.throws(() => requestLink('javascript:alert(1)', 'req_1'), TypeError);
    assert.throws(() => requestLink('not a url', 'req_1'), TypeError);
  });

  it('formats durations', () => {
    assert.equal(formatDuration(0), '0 minutes');
    assert.equal(formatDuration(1), '1 minute');
    assert.equal(formatDuration(60), '1 hour');
    assert.equal(formatDuration(90), '1 hour 30 minutes');
    assert.equal(formatDuration(1440), '1 day');
    assert.equal(formatDuration(2 * 1440 + 61), '2 days 1 hour 1 minute');
  });

  it('never lets a value break out of the HTML (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...notificationKinds),
        fc.string({ unit: 'binary', maxLength: 80 }),
        (kind, value) => {
          const { html, subject, title } = renderNotification(kind, {
            ...data,
            requesterName: value,
            accountName: value,
            reason: value,
            comment: value,
            ticketId: value,
            decidedBy: value,
          });
          const withoutTemplateTags = html.replace(
            /<\/?(?:!DOCTYPE|html|head|meta|title|body|p|table|tr|th|td|a)\b[^<>]*>/g,
            '',
          );
          assert.doesNotMatch(withoutTemplateTags, /[<>]/);
          assert.doesNotMatch(subject, /[\r\n]/);
          assert.doesNotMatch(title, /[\r\n]/);
        },
      ),
    );
  });
});
