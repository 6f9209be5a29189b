// Texts of the console's admin-chat area (pt).
export default {
  'chat.connectTitle': 'Conectar o chat do seu site',
  'chat.connectLead':
    'Seus visitantes escrevem por uma bolha no seu site e cada conversa chega como ticket à central de atendimento. Dê um nome ao canal e aos sites onde ele aparecerá; depois copie o código.',
  'chat.defaultName': 'Chat do site',
  'chat.name': 'Nome do canal',
  'chat.nameHint': 'Seus atendentes o veem na central.',
  'chat.siteName': 'Nome que os visitantes veem',
  'chat.siteNameHint': 'Aparece no topo da janela do chat, por exemplo o nome da sua loja.',
  'chat.sites': 'Sites permitidos',
  'chat.sitesHint':
    'Um por linha, como https://www.loja.com.br. Só esses sites poderão mostrar o chat; se ficar vazio, qualquer site poderá.',
  'chat.sitesBad': 'Isto não é o endereço de um site: {sites}. Escreva só o domínio, como https://www.loja.com.br.',
  'chat.connect': 'Conectar o chat',
  'chat.connecting': 'Conectando…',
  'chat.readyTitle': 'Seu chat está pronto',
  'chat.ready': 'Conectamos «{name}». Cole o código no seu site para a bolha aparecer.',
  'chat.openChannel': 'Ver o canal',
  'chat.snippetTitle': 'Código para o seu site',
  'chat.snippetIntro': 'Cole esta linha antes de </body> em cada página onde quiser o chat:',
  'chat.snippet': 'Código do chat para colar no seu site',
  'chat.snippetHint':
    'Adicione data-locale="es" ou "en" para fixar o idioma; senão, o chat usa o do navegador do visitante.',
  'chat.copy': 'Copiar código',
  'chat.copied': 'Copiado',
  'chat.copiedAnnounce': 'O código foi copiado.',
  'chat.publicKey': 'Chave pública',
  'chat.sitesTitle': 'Sites e nome',
  'chat.saveSites': 'Salvar os sites',
};
