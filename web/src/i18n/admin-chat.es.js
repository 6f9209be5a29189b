// Texts of the console's admin-chat area (es).
export default {
  'chat.connectTitle': 'Conectar el chat de tu sitio web',
  'chat.connectLead':
    'Tus visitantes te escriben desde una burbuja en tu sitio y cada conversación llega como ticket al mesón de ayuda. Nombra el canal y los sitios donde lo mostrarás; después copia el código.',
  'chat.defaultName': 'Chat del sitio web',
  'chat.name': 'Nombre del canal',
  'chat.nameHint': 'Lo ven tus agentes en el mesón.',
  'chat.siteName': 'Nombre que ven los visitantes',
  'chat.siteNameHint': 'Encabeza la ventana del chat, por ejemplo el nombre de tu tienda.',
  'chat.sites': 'Sitios permitidos',
  'chat.sitesHint':
    'Uno por línea, como https://www.tienda.cl. Solo esos sitios podrán mostrar el chat; si lo dejas vacío, cualquier sitio podrá.',
  'chat.sitesBad': 'Esto no es la dirección de un sitio: {sites}. Escribe solo el dominio, como https://www.tienda.cl.',
  'chat.connect': 'Conectar el chat',
  'chat.connecting': 'Conectando…',
  'chat.readyTitle': 'Tu chat está listo',
  'chat.ready': 'Conectamos «{name}». Pega el código en tu sitio para que aparezca la burbuja.',
  'chat.openChannel': 'Ver el canal',
  'chat.snippetTitle': 'Código para tu sitio',
  'chat.snippetIntro': 'Pega esta línea antes de </body> en cada página donde quieras el chat:',
  'chat.snippet': 'Código del chat para pegar en tu sitio',
  'chat.snippetHint':
    'Agrega data-locale="pt" o "en" para fijar el idioma; si no, el chat usa el del navegador del visitante.',
  'chat.copy': 'Copiar código',
  'chat.copied': 'Copiado',
  'chat.copiedAnnounce': 'El código quedó copiado.',
  'chat.publicKey': 'Clave pública',
  'chat.sitesTitle': 'Sitios y nombre',
  'chat.saveSites': 'Guardar los sitios',
};
