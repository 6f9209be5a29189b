// Texts of the console's admin-chat area (en).
export default {
  'chat.connectTitle': 'Connect your website chat',
  'chat.connectLead':
    'Your visitors write from a bubble on your site and each conversation arrives as a ticket in the help desk. Name the channel and the sites that will show it; then copy the code.',
  'chat.defaultName': 'Website chat',
  'chat.name': 'Channel name',
  'chat.nameHint': 'Your agents see it in the help desk.',
  'chat.siteName': 'Name your visitors see',
  'chat.siteNameHint': "Heads the chat window, for example your shop's name.",
  'chat.sites': 'Allowed sites',
  'chat.sitesHint':
    'One per line, like https://www.shop.com. Only those sites may show the chat; left empty, any site may.',
  'chat.sitesBad': 'This is not the address of a site: {sites}. Write only the domain, like https://www.shop.com.',
  'chat.connect': 'Connect the chat',
  'chat.connecting': 'Connecting…',
  'chat.readyTitle': 'Your chat is ready',
  'chat.ready': 'We connected “{name}”. Paste the code into your site and the bubble appears.',
  'chat.openChannel': 'Open the channel',
  'chat.snippetTitle': 'Code for your site',
  'chat.snippetIntro': 'Paste this line before </body> on every page that should show the chat:',
  'chat.snippet': 'The chat code to paste into your site',
  'chat.snippetHint':
    "Add data-locale=\"es\" or \"pt\" to fix the language; otherwise the chat speaks the visitor's browser's.",
  'chat.copy': 'Copy code',
  'chat.copied': 'Copied',
  'chat.copiedAnnounce': 'The code was copied.',
  'chat.publicKey': 'Public key',
  'chat.sitesTitle': 'Sites and name',
  'chat.saveSites': 'Save the sites',
};
