import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import {
  type NotificationData,
  notificationKinds,
  renderNotification,
} from '@strongroom/shared/access/notification-templates';
import { notificationSender } from '@strongroom/shared/platform/resources';
import { type SentEmail, sentEmails } from '../../../../test/support/moto-ses.ts';
import { createSesEmailSender, maxRecipientsPerMessage } from './email-sender.ses.ts';

/**
 * Against moto's SES (the local stack of `npm test`): the bootstrap verified the sender identity
 * and exported it as STRONGROOM_EMAIL_FROM. moto is shared with the other test files running at
 * the same time, so each test finds its own messages by a unique marker.
 */

const from = process.env[notificationSender.envVar];
const client = new SESv2Client({});
after(() => client.destroy());

const sender = () => {
  assert.ok(from, `${notificationSender.envVar} is not set: run through npm test (the local stack)`);
  return createSesEmailSender({ client, from });
};
const marker = () => `t-${randomUUID()}`;
const sentWith = async (predicate: (email: SentEmail) => boolean) => (await sentEmails()).filter(predicate);

describe('SES e-mail sender (moto)', () => {
  it('is sent from the verified local identity', () => {
    assert.equal(from, notificationSender.localAddress);
  });

  it('sends subject, text and HTML in UTF-8 to the recipients', async () => {
    const id = marker();
    const subject = `Zugriff genehmigt: root@db01 ✓ ${id}`;
    await sender().send({
      to: ['ann@example.com', 'bob@example.com'],
      subject,
      text: `Plain text part ${id}\nwith ünïcödé 🔐`,
      html: `<p>HTML part ${id} with ünïcödé 🔐</p>`,
    });
    const emails = await sentWith((email) => email.subject === subject);
    assert.equal(emails.length, 1);
    const [email] = emails as [SentEmail];
    assert.equal(email.from, notificationSender.localAddress);
    assert.deepEqual(email.to, ['ann@example.com', 'bob@example.com']);
    assert.equal(email.text, `Plain text part ${id}\nwith ünïcödé 🔐`);
    assert.equal(email.html, `<p>HTML part ${id} with ünïcödé 🔐</p>`);
    assert.match(email.messageId, /\S/);
  });

  it('sends each recipient once, whatever the case, and flattens a multi-line subject', async () => {
    const id = marker();
    await sender().send({
      to: ['Ann@Example.com', 'ann@example.com', ' carol@example.com '],
      subject: `line one\r\nline two ${id}`,
      text: 't',
      html: '<p>h</p>',
    });
    const emails = await sentWith((email) => email.subject.endsWith(id));
    assert.equal(emails.length, 1);
    assert.equal(emails[0]!.subject, `line one line two ${id}`);
    assert.deepEqual(emails[0]!.to, ['Ann@Example.com', 'carol@example.com']);
  });

  it(`splits more than ${maxRecipientsPerMessage} recipients over several messages`, async () => {
    const id = marker();
    const to = Array.from({ length: maxRecipientsPerMessage + 3 }, (_, i) => `user${i}@example.com`);
    await sender().send({ to, subject: `many ${id}`, text: 't', html: '<p>h</p>' });
    const emails = await sentWith((email) => email.subject === `many ${id}`);
    assert.deepEqual(
      emails.map((email) => email.to.length),
      [maxRecipientsPerMessage, 3],
    );
    assert.deepEqual(
      emails.flatMap((email) => email.to),
      to,
    );
  });

  it('sends nothing for no recipients', async () => {
    const id = marker();
    await sender().send({ to: [], subject: `nobody ${id}`, text: 't', html: '<p>h</p>' });
    assert.deepEqual(await sentWith((email) => email.subject.endsWith(id)), []);
  });

  it('fails when the sender identity is not verified', async () => {
    const unverified = createSesEmailSender({ client, from: 'someone-else@unverified.example' });
    await assert.rejects(
      unverified.send({ to: ['ann@example.com'], subject: marker(), text: 't', html: '<p>h</p>' }),
      (error: Error) => error.name === 'MessageRejected',
    );
  });

  it('delivers every notification kind with its link, the HTML escaped', async () => {
    const id = marker();
    const data: NotificationData = {
      requestId: `req_${id}`,
      requesterName: 'Joe <b>User</b>',
      accountName: 'root@db01',
      reason: '<script>alert("x")</script> patching',
      ticketId: 'CHG-42',
      durationMinutes: 60,
      decidedBy: 'Ann Approver',
      comment: 'Approved & logged',
      endsAt: '2030-01-01T10:00:00Z',
      portalUrl: 'https://acme.strongroom.example',
    };
    const link = `https://acme.strongroom.example/requests/req_${id}`;
    for (const kind of notificationKinds) {
      const rendered = renderNotification(kind, data);
      await sender().send({ to: [`${kind}@example.com`], ...rendered });
    }
    const emails = await sentWith((email) => email.text.includes(link));
    assert.equal(emails.length, notificationKinds.length);
    for (const kind of notificationKinds) {
      const email = emails.find((candidate) => candidate.to[0] === `${kind}@example.com`);
      assert.ok(email, `no e-mail for ${kind}`);
      assert.equal(email.subject, renderNotification(kind, data).subject);
      assert.ok(email.html.includes(`href="${link}"`), kind);
      assert.ok(email.html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; patching'), kind);
      assert.ok(email.html.includes('Joe &lt;b&gt;User&lt;/b&gt;'), kind);
      assert.doesNotMatch(email.html, /<script|<b>/, kind);
      assert.ok(email.text.includes('<script>alert("x")</script> patching'), kind);
      assert.ok(email.text.includes(link), kind);
    }
  });
});
